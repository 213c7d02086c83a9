import { closeSync, openSync, readSync, statSync } from "node:fs";

/** What an ELF file says it is: enough to tell the release binaries apart. */
export interface ElfInfo {
  /** 64 or 32 */
  bits: number;
  littleEndian: boolean;
  /** ET_EXEC / ET_DYN → "executable" / "shared" (PIE) */
  type: string;
  /** e_machine: "x86-64", "aarch64", or the number */
  machine: string;
  /** PT_INTERP: the dynamic loader, or null for a static binary */
  interpreter: string | null;
  /** DT_NEEDED: the shared libraries it loads */
  needed: string[];
}

const MACHINES: Record<number, string> = { 62: "x86-64", 183: "aarch64" };

/**
 * Reads an ELF64 little-endian file's header, program headers, loader path
 * and DT_NEEDED entries (the string table is found through PT_LOAD
 * segments). Reads only the bytes it needs: the binaries are ~110 MB.
 */
export function readElf(path: string): ElfInfo {
  const fd = openSync(path, "r");
  const size = statSync(path).size;
  const read = (offset: number, length: number): Buffer => {
    if (offset < 0 || offset + length > size) throw new Error(`${path}: ELF offset ${offset}+${length} outside the file`);
    const b = Buffer.alloc(length);
    readSync(fd, b, 0, length, offset);
    return b;
  };
  try {
    const h = read(0, 64);
    if (h.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${path}: not an ELF file`);
    const bits = h[4] === 2 ? 64 : 32;
    const littleEndian = h[5] === 1;
    if (bits !== 64 || !littleEndian) return { bits, littleEndian, type: "?", machine: "?", interpreter: null, needed: [] };
    const eType = h.readUInt16LE(16);
    const machine = MACHINES[h.readUInt16LE(18)] ?? String(h.readUInt16LE(18));
    const phoff = Number(h.readBigUInt64LE(32));
    const phentsize = h.readUInt16LE(54);
    const phnum = h.readUInt16LE(56);
    const phs = read(phoff, phentsize * phnum);
    let interpreter: string | null = null;
    let dynamic: { offset: number; size: number } | null = null;
    const loads: { vaddr: number; offset: number; filesz: number }[] = [];
    for (let i = 0; i < phnum; i++) {
      const p = i * phentsize;
      const type = phs.readUInt32LE(p);
      const offset = Number(phs.readBigUInt64LE(p + 8));
      const vaddr = Number(phs.readBigUInt64LE(p + 16));
      const filesz = Number(phs.readBigUInt64LE(p + 32));
      if (type === 3) interpreter = read(offset, filesz).toString("latin1").replace(/\0+$/, "");
      if (type === 2) dynamic = { offset, size: filesz };
      if (type === 1) loads.push({ vaddr, offset, filesz });
    }
    const needed: string[] = [];
    if (dynamic !== null) {
      const dyn = read(dynamic.offset, dynamic.size);
      const neededOffsets: number[] = [];
      let strtab = -1;
      for (let p = 0; p + 16 <= dyn.length; p += 16) {
        const tag = Number(dyn.readBigInt64LE(p));
        const val = Number(dyn.readBigUInt64LE(p + 8));
        if (tag === 0) break;
        if (tag === 1) neededOffsets.push(val);
        if (tag === 5) strtab = val;
      }
      const seg = loads.find((l) => strtab >= l.vaddr && strtab < l.vaddr + l.filesz);
      if (seg === undefined) throw new Error(`${path}: DT_STRTAB outside every PT_LOAD segment`);
      const base = seg.offset + (strtab - seg.vaddr);
      for (const o of neededOffsets) {
        const s = read(base + o, Math.min(256, size - base - o)).toString("latin1");
        needed.push(s.slice(0, s.indexOf("\0")));
      }
    }
    return { bits, littleEndian, type: eType === 2 ? "executable" : eType === 3 ? "shared" : String(eType), machine, interpreter, needed };
  } finally {
    closeSync(fd);
  }
}
