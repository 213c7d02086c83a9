import type { HpackDecoder } from "../../../src/receive/h2/hpack-decoder.ts";

/** Bytes from hex that may contain spaces and newlines (as RFC 7541 Appendix C prints them). */
export function hex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text.replace(/\s+/g, ""), "hex"));
}

/** Decodes one block and returns its fields in order. */
export function decodeAll(decoder: HpackDecoder, block: Uint8Array): Array<[string, string]> {
  const fields: Array<[string, string]> = [];
  decoder.decode(block, (name, value) => fields.push([name, value]));
  return fields;
}
