import type { AttrValue, ResourceBlock } from "./span-batch.ts";
import { copyBytes, hashBytes, sameBytes } from "./byte-range.ts";

const SIZE = 1 << 8;
/** resources larger than this are decoded every time (and would crowd the cache) */
const MAX_BYTES = 4096;

interface Entry {
  bytes: Uint8Array;
  keys: string[];
  kinds: number[];
  values: AttrValue[];
  slotKinds: Uint8Array;
  slotValues: AttrValue[];
}

/**
 * Decoded Resource messages by their bytes. A service's every request repeats
 * its Resource (service.*, k8s.*, host.*: ~14 attributes, ~500 bytes) byte for
 * byte; a hit hands out the attribute arrays decoded the first time instead
 * of decoding them again. The arrays are shared by every block that took
 * them, so nothing downstream may change them (nothing does: processors only
 * read a ResourceBlock). Direct-mapped on a hash of every byte; a hit is
 * confirmed bytewise. A decoder makes a new cache when its projection grows.
 */
export class ResourceCache {
  private readonly entries: (Entry | undefined)[] = new Array(SIZE);
  /** the arrays of a ResourceSpans without a Resource (shared, like every entry's) */
  readonly none: Entry;

  constructor(slots: number) {
    this.none = { bytes: new Uint8Array(0), keys: [], kinds: [], values: [], slotKinds: new Uint8Array(slots), slotValues: new Array(slots) };
  }

  /** Fills `block` from the Resource in buf[start, end) if seen before; false on a miss. */
  take(buf: Uint8Array, start: number, end: number, block: ResourceBlock): boolean {
    const len = end - start;
    if (len > MAX_BYTES) return false;
    const e = this.entries[slotOf(buf, start, end)];
    if (e === undefined || !sameBytes(e.bytes, buf, start, end)) return false;
    block.keys = e.keys;
    block.kinds = e.kinds;
    block.values = e.values;
    block.slotKinds = e.slotKinds;
    block.slotValues = e.slotValues;
    return true;
  }

  /** Remembers what `block` holds as the decoding of the Resource in buf[start, end). */
  keep(buf: Uint8Array, start: number, end: number, block: ResourceBlock): void {
    if (end - start > MAX_BYTES) return;
    const { keys, kinds, values, slotKinds, slotValues } = block;
    this.entries[slotOf(buf, start, end)] = { bytes: copyBytes(buf, start, end), keys, kinds, values, slotKinds, slotValues };
  }
}

function slotOf(buf: Uint8Array, start: number, end: number): number {
  return hashBytes(buf, start, end) & (SIZE - 1);
}
