import assert from "node:assert/strict";
import { test } from "node:test";
import Database from "better-sqlite3";
import { createStatementCachingDatabase } from "./statement-cache.ts";

test("the statement cache reuses recent statements and forgets the least recently used", () => {
  const database = new Database(":memory:");
  let prepared = 0;
  const counting = {
    prepare: (text: string) => {
      prepared++;
      return database.prepare(text);
    },
    close: () => database.close(),
  };
  const cached = createStatementCachingDatabase(counting, 2);
  const a = cached.prepare("select 1 as a");
  assert.equal(cached.prepare("select 1 as a"), a);
  cached.prepare("select 2 as b");
  cached.prepare("select 1 as a"); // now the most recent
  cached.prepare("select 3 as c"); // evicts "select 2"
  assert.equal(prepared, 3);
  assert.equal(cached.prepare("select 1 as a"), a);
  cached.prepare("select 2 as b");
  assert.equal(prepared, 4);
  assert.deepEqual(a.all([]), [{ a: 1 }]);
  cached.close();
  assert.equal(database.open, false);
});
