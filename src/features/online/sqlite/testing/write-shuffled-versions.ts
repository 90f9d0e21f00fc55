// A child process of sqlite-online-store.test.ts: writes every version of every key to the
// store at argv[2], in an order shuffled by the seed argv[3], in small batches, so several
// processes run at once contend for the file's write lock.
import { createSeededRandom } from "../../../../core/seeded-random.ts";
import { createSqliteOnlineStore } from "../create-sqlite-online-store.ts";

const [path, seed, keyCount, versionCount] = process.argv.slice(2);
const rng = createSeededRandom(Number(seed));
const records = [];
for (let k = 0; k < Number(keyCount); k++) {
  for (let v = 0; v < Number(versionCount); v++) {
    records.push({
      entityKey: String(k),
      eventMicros: v * 1_000_000,
      createdMicros: v,
      values: { v, writer: Number(seed) },
      expiresAtMs: null,
    });
  }
}
for (let i = records.length - 1; i > 0; i--) {
  const j = rng.nextInt(i + 1);
  [records[i], records[j]] = [records[j]!, records[i]!];
}
const store = createSqliteOnlineStore({ path: path! });
for (let i = 0; i < records.length; i += 3) await store.write("v", records.slice(i, i + 3));
await store.close();
