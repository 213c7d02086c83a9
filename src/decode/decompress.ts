import { gunzipSync, inflateSync, zstdDecompressSync } from "node:zlib";
import { DecodeError } from "./decode-error.ts";

/**
 * Undoes a Content-Encoding (gzip, deflate, zstd or none), never producing
 * more than `limit` bytes: inflation stops as soon as the output would pass
 * the limit, so a gzip bomb costs at most `limit` bytes of memory.
 */
export function decompressBody(raw: Uint8Array, encoding: string | undefined, limit: number): Uint8Array {
  const e = (encoding ?? "").trim().toLowerCase();
  if (e === "" || e === "identity") {
    if (raw.length > limit) throw tooLarge(limit);
    return raw;
  }
  const inflate =
    e === "gzip" || e === "x-gzip" ? gunzipSync : e === "deflate" ? inflateSync : e === "zstd" ? zstdDecompressSync : undefined;
  if (inflate === undefined) {
    throw new DecodeError("invalid", `unsupported Content-Encoding "${e}": use gzip, deflate, zstd or none`);
  }
  try {
    return inflate(raw, { maxOutputLength: limit });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ERR_BUFFER_TOO_LARGE" || err instanceof RangeError) throw tooLarge(limit);
    throw new DecodeError("invalid", `invalid ${e} body: ${(err as Error).message}`);
  }
}

function tooLarge(limit: number): DecodeError {
  return new DecodeError("too_large", `decompressed body exceeds the limit of ${limit} bytes`);
}
