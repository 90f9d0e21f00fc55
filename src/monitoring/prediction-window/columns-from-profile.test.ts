import assert from "node:assert/strict";
import { test } from "node:test";
import { profileColumns } from "../profile/profile-columns.ts";
import { checkDataQuality } from "../quality/check-data-quality.ts";
import { columnsFromProfile } from "./columns-from-profile.ts";

test("a column rebuilt from a profile keeps the exact range, so current values at the extremes are in range", () => {
  // Counts from 0: the bucket holding 0 has a denormal midpoint, and 1's bucket is above 1.
  const values = Float64Array.from({ length: 2000 }, (_, i) => i % 4);
  const profile = profileColumns([{ kind: "numeric", name: "chargebacks", values }]);
  const [rebuilt] = columnsFromProfile(profile);
  assert.equal(rebuilt?.kind, "numeric");
  const rebuiltValues = (rebuilt as { values: Float64Array }).values;
  assert.equal(Math.min(...rebuiltValues), 0);
  assert.equal(Math.max(...rebuiltValues), 3);
  const findings = checkDataQuality(profileColumns(columnsFromProfile(profile)), [
    { kind: "numeric", name: "chargebacks", values: Float64Array.from([0, 0, 1, 3]) },
  ]);
  assert.deepEqual(
    findings.filter((f) => f.check === "out_of_range"),
    [],
  );
});
