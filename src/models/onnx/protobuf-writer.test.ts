import assert from "node:assert/strict";
import { test } from "node:test";
import { ProtobufWriter } from "./protobuf-writer.ts";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

test("encodes the wire format as the protobuf spec's examples do", () => {
  // Field 1 = 150 is the spec's own example: 08 96 01.
  assert.equal(hex(new ProtobufWriter().varint(1, 150).finish()), "089601");
  // Negative int64: ten bytes of two's complement.
  assert.equal(hex(new ProtobufWriter().varint(3, -1).finish()), "18ffffffffffffffffff01");
  assert.equal(hex(new ProtobufWriter().varint(1, 2 ** 40).finish()), "08808080808020");
  assert.equal(hex(new ProtobufWriter().string(2, "testing").finish()), "120774657374696e67");
  assert.equal(hex(new ProtobufWriter().float(2, 1).finish()), "150000803f");
  assert.equal(
    hex(new ProtobufWriter().packedVarints(4, [3, 270, 86942]).finish()),
    "2206038e029ea705",
  );
  assert.equal(
    hex(new ProtobufWriter().message(3, (m) => m.varint(1, 150)).finish()),
    "1a03089601",
  );
  assert.throws(() => new ProtobufWriter().varint(1, 0.5));
});
