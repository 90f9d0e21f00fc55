/**
 * Protocol Buffers wire-format encoding, only as much as writing ONNX models needs:
 * varints, 64-bit doubles, 32-bit floats, length-delimited bytes, and packed repeated
 * scalars. Nested messages are encoded child-first into their own writer and then embedded
 * as bytes, which keeps the writer free of length back-patching.
 *
 * @example
 * const w = new ProtobufWriter();
 * w.string(1, "graph");
 * w.packedVarints(8, [1, 2, 3]);
 * const bytes = w.finish();
 */
export class ProtobufWriter {
  private chunks: Uint8Array[] = [];
  private scratch = new Uint8Array(10);
  private scratchView = new DataView(new ArrayBuffer(8));

  /** A varint-typed field (int32, int64, enum, bool); negative values use ten bytes as protobuf specifies. */
  varint(field: number, value: number): this {
    this.tag(field, 0);
    this.rawVarint(value);
    return this;
  }

  /** A `float` field (wire type 5). */
  float(field: number, value: number): this {
    this.tag(field, 5);
    this.scratchView.setFloat32(0, value, true);
    this.chunks.push(new Uint8Array(this.scratchView.buffer.slice(0, 4)));
    return this;
  }

  /** A length-delimited field holding raw bytes (bytes, embedded message). */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2);
    this.rawVarint(value.length);
    this.chunks.push(value);
    return this;
  }

  /** A UTF-8 string field. */
  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  /** An embedded message, written by `build` into a fresh writer. */
  message(field: number, build: (w: ProtobufWriter) => void): this {
    const child = new ProtobufWriter();
    build(child);
    return this.bytes(field, child.finish());
  }

  /** A packed repeated varint field (repeated int64 / int32). */
  packedVarints(field: number, values: ArrayLike<number>): this {
    const child = new ProtobufWriter();
    for (let i = 0; i < values.length; i++) child.rawVarint(values[i] as number);
    return this.bytes(field, child.finish());
  }

  /** A packed repeated float field (values rounded to float32). */
  packedFloats(field: number, values: ArrayLike<number>): this {
    return this.bytes(field, new Uint8Array(Float32Array.from(values).buffer));
  }

  /** The encoded message. */
  finish(): Uint8Array {
    let length = 0;
    for (const c of this.chunks) length += c.length;
    const out = new Uint8Array(length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  private tag(field: number, wireType: number): void {
    this.rawVarint(field * 8 + wireType);
  }

  private rawVarint(value: number): void {
    if (!Number.isSafeInteger(value)) throw new Error(`Varint ${value} is not a safe integer`);
    if (value >= 0 && value < 0x80000000) {
      let v = value;
      let n = 0;
      while (v >= 0x80) {
        this.scratch[n++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      this.scratch[n++] = v;
      this.chunks.push(this.scratch.slice(0, n));
      return;
    }
    // BigInt keeps negative int64 values (two's complement over 64 bits) exact.
    let v = BigInt.asUintN(64, BigInt(value));
    let n = 0;
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      this.scratch[n++] = byte;
    } while (v !== 0n);
    this.chunks.push(this.scratch.slice(0, n));
  }
}
