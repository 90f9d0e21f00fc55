import { randomUUID } from "node:crypto";
import type { Selectable } from "kysely";
import { PlinthError } from "../../../core/errors.ts";
import type { MetadataStore } from "../../../metadata/metadata-store.ts";
import type { PipelineSchedulesTable } from "../../../metadata/schema.ts";
import { isUniqueViolation } from "../../../metadata/unique-violation.ts";
import { parseCron } from "../parse-cron.ts";
import type { PipelineSchedule, ScheduleStore } from "../schedule-store.ts";

/**
 * Schedules in `pipeline_schedules`; a tick's claim is an insert into
 * `pipeline_schedule_fires`, whose primary key lets only one server's insert through.
 *
 * @example
 * const schedules = createMetadataScheduleStore(platform.metadata);
 * await schedules.add({ pipelineName: "training", cron: "0 3 * * *", params: { alias: "challenger" } });
 */
export function createMetadataScheduleStore(metadata: MetadataStore): ScheduleStore {
  const { db } = metadata;
  return Object.freeze({
    async add(input) {
      const timezone = input.timezone ?? null;
      parseCron(input.cron, timezone);
      const row = {
        schedule_id: randomUUID().replaceAll("-", "").slice(0, 16),
        pipeline_name: input.pipelineName,
        cron: input.cron.trim(),
        timezone,
        params: JSON.stringify(input.params ?? {}),
        created_at: Date.now(),
      };
      await db.insertInto("pipeline_schedules").values(row).execute();
      return toSchedule(row);
    },

    async list(query = {}) {
      let q = db.selectFrom("pipeline_schedules").selectAll();
      if (query.pipelineName !== undefined) q = q.where("pipeline_name", "=", query.pipelineName);
      const rows = await q.orderBy("created_at").orderBy("schedule_id").execute();
      return rows.map(toSchedule);
    },

    async remove(scheduleId) {
      const result = await db
        .deleteFrom("pipeline_schedules")
        .where("schedule_id", "=", scheduleId)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) {
        throw new PlinthError(
          "PIPELINES_SCHEDULE_NOT_FOUND",
          `No pipeline schedule has id '${scheduleId}'; 'plinth pipeline schedule list' shows them`,
          { field: "schedule_id" },
        );
      }
    },

    async claim(scheduleId, fireTime, claimant) {
      try {
        await db
          .insertInto("pipeline_schedule_fires")
          .values({
            schedule_id: scheduleId,
            fire_time: fireTime,
            claimed_by: claimant,
            claimed_at: Date.now(),
            run_id: null,
            error: null,
          })
          .execute();
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },

    async recordFire(scheduleId, fireTime, outcome) {
      await db
        .updateTable("pipeline_schedule_fires")
        .set("runId" in outcome ? { run_id: outcome.runId } : { error: outcome.error })
        .where("schedule_id", "=", scheduleId)
        .where("fire_time", "=", fireTime)
        .execute();
    },

    async fires(scheduleId, limit = 100) {
      const rows = await db
        .selectFrom("pipeline_schedule_fires")
        .selectAll()
        .where("schedule_id", "=", scheduleId)
        .orderBy("fire_time", "desc")
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        scheduleId: r.schedule_id,
        fireTime: Number(r.fire_time),
        claimedBy: r.claimed_by,
        runId: r.run_id,
        error: r.error,
      }));
    },
  } satisfies ScheduleStore);
}

function toSchedule(row: Selectable<PipelineSchedulesTable>): PipelineSchedule {
  return {
    scheduleId: row.schedule_id,
    pipelineName: row.pipeline_name,
    cron: row.cron,
    timezone: row.timezone,
    params: JSON.parse(row.params),
    createdAt: Number(row.created_at),
  };
}
