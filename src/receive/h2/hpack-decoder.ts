import { HpackError } from "./hpack-error.ts";
import { huffmanDecode } from "./huffman.ts";
import { STATIC_TABLE } from "./static-table.ts";

const STATIC_COUNT = STATIC_TABLE.length;
const STATIC_NAMES = STATIC_TABLE.map((entry) => entry[0]);
const STATIC_VALUES = STATIC_TABLE.map((entry) => entry[1]);
/** Per-entry overhead in the table size and the header list size (RFC 7541 §4.1, RFC 7540 §6.5.2). */
const ENTRY_OVERHEAD = 32;
/** Integers above this are rejected: no index, length or table size in a sane block comes near. */
const MAX_INTEGER = 0x7fffffff;
/** 5 continuation bytes carry 35 bits, enough for MAX_INTEGER with any prefix; more is padding. */
const MAX_CONTINUATION_BYTES = 5;
const EMPTY = Buffer.alloc(0);

/**
 * The HPACK decoder of one connection (RFC 7541): decodes complete header blocks in the order the
 * peer sent them, keeping the dynamic table between blocks. Strings are latin1 (one char per
 * byte, byte-preserving); table entries keep their strings, so an indexed header allocates none.
 */
export class HpackDecoder {
  // The dynamic table, a ring: `newest` is the slot of index 62, older entries lie below it.
  private readonly names: string[];
  private readonly values: string[];
  private newest = 0;
  private count = 0;
  private size = 0;
  private maxSize: number;

  // The block being decoded and the cursor in it; `name`/`value` are lookup results.
  private src: Buffer = EMPTY;
  private pos = 0;
  private name = "";
  private value = "";

  /**
   * @param maxTableSize our SETTINGS_HEADER_TABLE_SIZE: the initial and largest table size
   * @param maxHeaderListBytes the SETTINGS_MAX_HEADER_LIST_SIZE we enforce, per block
   */
  constructor(
    readonly maxTableSize = 4096,
    readonly maxHeaderListBytes = 16 << 10,
  ) {
    this.maxSize = maxTableSize;
    const capacity = Math.max(1, Math.floor(maxTableSize / ENTRY_OVERHEAD));
    this.names = new Array<string>(capacity).fill("");
    this.values = new Array<string>(capacity).fill("");
  }

  /** Sum of the entries' sizes (name + value + 32 each). */
  get tableSize(): number {
    return this.size;
  }

  /** The table's current limit, as last set by a dynamic table size update. */
  get tableMaxSize(): number {
    return this.maxSize;
  }

  /** The dynamic table, newest (index 62) first; for tests and diagnostics. */
  tableEntries(): Array<[string, string]> {
    const entries: Array<[string, string]> = [];
    for (let i = 0; i < this.count; i++) {
      const slot = this.slotOf(i);
      entries.push([this.names[slot], this.values[slot]]);
    }
    return entries;
  }

  /**
   * Decodes one complete header block (HEADERS + CONTINUATION fragments joined), calling
   * `onHeader` per field in order. Throws HpackError: `compression` for a malformed block (the
   * connection is then unusable), `too_large` after the whole block was decoded when the header
   * list exceeded maxHeaderListBytes (fields before the limit were already passed to onHeader).
   * The caller bounds the block's length. If onHeader throws, the table may be left mid-block:
   * treat that like a compression error.
   */
  decode(block: Uint8Array, onHeader: (name: string, value: string) => void): void {
    this.src = Buffer.isBuffer(block) ? block : Buffer.from(block.buffer, block.byteOffset, block.byteLength);
    this.pos = 0;
    try {
      this.decodeFields(onHeader);
    } finally {
      this.src = EMPTY; // the block is the caller's; do not keep it alive
    }
  }

  private decodeFields(onHeader: (name: string, value: string) => void): void {
    const end = this.src.length;
    let listBytes = 0;
    let fieldSeen = false;
    while (this.pos < end) {
      const first = this.src[this.pos];
      if (first & 0x80) {
        // Indexed field (§6.1).
        this.lookup(this.readInteger(7));
      } else if (first & 0x40) {
        // Literal with incremental indexing (§6.2.1).
        this.readLiteral(6);
        this.insert(this.name, this.value);
      } else if (first & 0x20) {
        // Dynamic table size update (§6.3).
        if (fieldSeen) throw compression("dynamic table size update after a header field");
        const size = this.readInteger(5);
        if (size > this.maxTableSize) {
          throw compression(`dynamic table size update to ${size} above the limit ${this.maxTableSize}`);
        }
        this.maxSize = size;
        this.evictTo(size);
        continue;
      } else {
        // Literal without indexing (0000) or never indexed (0001) (§6.2.2, §6.2.3).
        this.readLiteral(4);
      }
      fieldSeen = true;
      listBytes += this.name.length + this.value.length + ENTRY_OVERHEAD;
      if (listBytes <= this.maxHeaderListBytes) onHeader(this.name, this.value);
    }
    if (listBytes > this.maxHeaderListBytes) {
      throw new HpackError("too_large", `header list of ${listBytes} bytes exceeds ${this.maxHeaderListBytes}`);
    }
  }

  /** Reads a literal field whose name index has `prefixBits` bits (0 = a new name follows). */
  private readLiteral(prefixBits: number): void {
    const index = this.readInteger(prefixBits);
    if (index === 0) {
      this.name = this.readString();
    } else {
      this.lookup(index);
    }
    this.value = this.readString();
  }

  private lookup(index: number): void {
    if (index === 0) throw compression("index 0");
    if (index <= STATIC_COUNT) {
      this.name = STATIC_NAMES[index - 1];
      this.value = STATIC_VALUES[index - 1];
      return;
    }
    const i = index - STATIC_COUNT - 1;
    if (i >= this.count) throw compression(`index ${index} past the table (${STATIC_COUNT + this.count} entries)`);
    const slot = this.slotOf(i);
    this.name = this.names[slot];
    this.value = this.values[slot];
  }

  /** The ring slot of dynamic entry i (0 = newest). */
  private slotOf(i: number): number {
    const slot = this.newest - i;
    return slot < 0 ? slot + this.names.length : slot;
  }

  private insert(name: string, value: string): void {
    const entrySize = name.length + value.length + ENTRY_OVERHEAD;
    // An entry larger than the table empties it and is not added (§4.4).
    if (entrySize > this.maxSize) {
      this.evictTo(0);
      return;
    }
    this.evictTo(this.maxSize - entrySize);
    const slot = this.newest + 1 === this.names.length ? 0 : this.newest + 1;
    this.names[slot] = name;
    this.values[slot] = value;
    this.newest = slot;
    this.count++;
    this.size += entrySize;
  }

  /** Evicts the oldest entries until the table's size is at most `limit`. */
  private evictTo(limit: number): void {
    while (this.size > limit) {
      const slot = this.slotOf(this.count - 1);
      this.size -= this.names[slot].length + this.values[slot].length + ENTRY_OVERHEAD;
      this.names[slot] = "";
      this.values[slot] = "";
      this.count--;
    }
  }

  /** Reads an integer with an N-bit prefix (§5.1) starting at the current byte. */
  private readInteger(prefixBits: number): number {
    const src = this.src;
    if (this.pos >= src.length) throw compression("truncated integer");
    const mask = (1 << prefixBits) - 1;
    let value = src[this.pos++] & mask;
    if (value < mask) return value;
    let factor = 1;
    for (let k = 0; k < MAX_CONTINUATION_BYTES; k++) {
      if (this.pos >= src.length) throw compression("truncated integer");
      const byte = src[this.pos++];
      value += (byte & 0x7f) * factor;
      if (value > MAX_INTEGER) throw compression("integer overflow");
      if ((byte & 0x80) === 0) return value;
      factor *= 128;
    }
    throw compression("integer with too many continuation bytes");
  }

  /** Reads a string literal (§5.2): H bit, 7-bit-prefix length, the octets. */
  private readString(): string {
    const src = this.src;
    if (this.pos >= src.length) throw compression("truncated string");
    const huffman = src[this.pos] & 0x80;
    const length = this.readInteger(7);
    const start = this.pos;
    if (length > src.length - start) throw compression("string longer than the rest of the block");
    this.pos = start + length;
    if (length === 0) return "";
    return huffman ? huffmanDecode(src, start, start + length) : src.toString("latin1", start, start + length);
  }
}

function compression(message: string): HpackError {
  return new HpackError("compression", `HPACK: ${message}`);
}
