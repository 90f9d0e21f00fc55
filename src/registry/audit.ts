import type { Transaction } from "kysely";
import type { MetadataDb } from "../metadata/metadata-store.ts";
import type { MetadataSchema } from "../metadata/schema.ts";
import type { AuditEntry, RegistryContext } from "./types.ts";

/** Records one registry change inside the transaction that makes it. */
export async function recordAudit(
  trx: Transaction<MetadataSchema>,
  ctx: RegistryContext | undefined,
  entry: { action: string; modelName: string; version?: number; before?: unknown; after?: unknown },
): Promise<void> {
  await trx
    .insertInto("registry_audit")
    .values({
      at: Date.now(),
      actor: ctx?.actor ?? "anonymous",
      action: entry.action,
      model_name: entry.modelName,
      version: entry.version ?? null,
      before: entry.before === undefined ? null : JSON.stringify(entry.before),
      after: entry.after === undefined ? null : JSON.stringify(entry.after),
    })
    .execute();
}

/** Every recorded change to a model and its versions, oldest first. */
export async function auditHistory(db: MetadataDb, modelName: string): Promise<AuditEntry[]> {
  const rows = await db
    .selectFrom("registry_audit")
    .selectAll()
    .where("model_name", "=", modelName)
    .orderBy("id")
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    at: Number(r.at),
    actor: r.actor,
    action: r.action,
    modelName: r.model_name,
    version: r.version === null ? undefined : String(r.version),
    before: r.before === null ? undefined : JSON.parse(r.before),
    after: r.after === null ? undefined : JSON.parse(r.after),
  }));
}
