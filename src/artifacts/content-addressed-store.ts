import { createHash, type Hash, randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { PlinthError } from "../core/errors.ts";
import { quoteArtifactKey } from "./artifact-key.ts";
import type { ArtifactBody, ArtifactStore } from "./artifact-store.ts";

/** Where {@link ContentAddressedStore.putContent} put the bytes, and what they hash to. */
export interface StoredContent {
  /** Hex sha256 of the bytes: their address. */
  sha256: string;
  /** Size in bytes. */
  size: number;
  /** The key in the underlying artifact store, `sha256/<first two hex>/<hex>`. */
  key: string;
}

/**
 * Bytes addressed by their sha256, so equal content is stored once and an address always
 * names the same bytes. Works over any {@link ArtifactStore}: the backend only moves bytes.
 */
export interface ContentAddressedStore {
  /**
   * Stores the bytes under their hash, hashing while they stream through (never buffered
   * whole). Content already stored is not stored again.
   */
  putContent(body: ArtifactBody): Promise<StoredContent>;

  /**
   * A stream of the content with this hash.
   *
   * @throws PlinthError `ARTIFACTS_NOT_FOUND` when no such content is stored.
   */
  getContent(sha256: string): Promise<Readable>;

  /** True when content with this hash is stored. */
  hasContent(sha256: string): Promise<boolean>;

  /** The artifact-store key that holds, or would hold, the content with this hash. */
  keyFor(sha256: string): string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const CONTENT_PREFIX = "sha256";
const STAGING_PREFIX = "staging";

/**
 * A content-addressed store over `store`, under its `sha256/` and `staging/` keys.
 *
 * @example
 * const content = createContentAddressedStore(createLocalArtifactStore({ root }));
 * const { sha256 } = await content.putContent(createReadStream("model.onnx"));
 * const stream = await content.getContent(sha256);
 */
export function createContentAddressedStore(store: ArtifactStore): ContentAddressedStore {
  function keyFor(sha256: string): string {
    if (typeof sha256 !== "string" || !SHA256_HEX.test(sha256)) {
      throw new PlinthError(
        "ARTIFACTS_INVALID_PATH",
        `Content hash ${quoteArtifactKey(String(sha256))} is not 64 lowercase hex characters`,
        { field: "sha256" },
      );
    }
    return `${CONTENT_PREFIX}/${sha256.slice(0, 2)}/${sha256}`;
  }

  return {
    keyFor,

    async putContent(body) {
      // The hash is only known once every byte has passed, so the bytes land under a
      // unique staging key first and are renamed to their address afterwards.
      const staging = `${STAGING_PREFIX}/${randomUUID()}`;
      const hash = createHash("sha256");
      const { size } = await store.put(staging, hashedBody(body, hash));
      const sha256 = hash.digest("hex");
      const key = keyFor(sha256);
      try {
        if ((await store.stat(key)) === undefined) await store.move(staging, key);
        else await store.delete(staging); // stored before: keep the one copy
      } catch (error) {
        await store.delete(staging);
        throw error;
      }
      return { sha256, size, key };
    },

    async getContent(sha256) {
      return store.get(keyFor(sha256));
    },

    async hasContent(sha256) {
      return (await store.stat(keyFor(sha256))) !== undefined;
    },
  };
}

/** `body`, feeding every byte to `hash` on its way through. */
function hashedBody(body: ArtifactBody, hash: Hash): ArtifactBody {
  if (typeof body === "string" || body instanceof Uint8Array) {
    hash.update(body);
    return body;
  }
  return Readable.from(hashChunks(body, hash), { objectMode: false });
}

async function* hashChunks(
  source: AsyncIterable<Uint8Array | string>,
  hash: Hash,
): AsyncGenerator<Uint8Array | string> {
  // An error in `source` surfaces here and fails the put; a failed put returns this
  // generator early, which destroys `source`.
  for await (const chunk of source) {
    hash.update(chunk);
    yield chunk;
  }
}
