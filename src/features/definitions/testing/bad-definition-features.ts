// A features module whose definition is malformed (a ttl that is negative).
import { entity } from "../entity.ts";
import { featureView } from "../feature-view.ts";
import { csvSource } from "../sources.ts";

export const e = entity({ name: "e", joinKeys: [{ name: "id", type: "string" }] });
export const v = featureView({
  name: "broken_view",
  entities: [e],
  schema: [{ name: "f", type: "float64" }],
  source: csvSource({ name: "s", path: "s.csv", timestampField: "ts" }),
  ttlSeconds: -5,
});
