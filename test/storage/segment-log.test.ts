import { afterEach, describe, expect, test } from "bun:test";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SegmentLog } from "../../src/storage/segment-log.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "redgen-wal-"));
  dirs.push(d);
  return d;
}

const round = (byte: number, samples = 3) => [{ body: new Uint8Array(200).fill(byte), samples, exemplars: 1 }];
const segments = (dir: string) => readdirSync(dir).filter((f) => f.endsWith(".wal")).sort();

/** A log in a fresh dir with rounds 1..n appended (one byte value per round). */
async function filled(n: number, segmentBytes = 1 << 20) {
  const dir = tempDir();
  const { log } = SegmentLog.open(dir, segmentBytes);
  for (let i = 1; i <= n; i++) await log.append(i, 1_000 * i, round(i));
  await log.close();
  return dir;
}

describe("segment log: reopening", () => {
  test("every appended round comes back, in order, with its requests", async () => {
    const dir = await filled(3);
    const { log, report } = SegmentLog.open(dir, 1 << 20);
    expect(report).toEqual({ rounds: 3, repairs: 0, bytesCut: 0 });
    expect(log.rounds.map((r) => [r.seq, r.ts, r.samples])).toEqual([
      [1, 1000, 3],
      [2, 2000, 3],
      [3, 3000, 3],
    ]);
    const reqs = await log.read(log.rounds[1]);
    expect([reqs.length, reqs[0].body[0], reqs[0].body.length]).toEqual([1, 2, 200]);
  });

  test("a torn tail (a record cut short by a crash) is cut off; the rounds before it stay", async () => {
    const dir = await filled(3);
    const seg = join(dir, segments(dir)[0]);
    truncateSync(seg, statSync(seg).size - 50);
    const { log, report } = SegmentLog.open(dir, 1 << 20);
    expect(log.rounds.map((r) => r.seq)).toEqual([1, 2]);
    expect(report.repairs).toBe(1);
    expect(statSync(seg).size).toBe(log.rounds[1].offset + log.rounds[1].bytes);
    // the next open finds a clean log
    expect(SegmentLog.open(dir, 1 << 20).report.repairs).toBe(0);
  });

  test("a damaged record (a flipped byte) is cut with the rest of its segment, later segments stay", async () => {
    const dir = await filled(6, 300);
    const segs = segments(dir);
    expect(segs.length).toBe(3);
    const first = join(dir, segs[0]);
    const bytes = readFileSync(first);
    bytes[bytes.length - 10] ^= 0xff;
    writeFileSync(first, bytes);
    const { log, report } = SegmentLog.open(dir, 300);
    expect(report.repairs).toBe(1);
    // the first segment held rounds 1 and 2; the flipped byte is in round 2
    expect(log.rounds.map((r) => r.seq)).toEqual([1, 3, 4, 5, 6]);
  });

  test("garbage appended after the last record is cut", async () => {
    const dir = await filled(2);
    appendFileSync(join(dir, segments(dir)[0]), new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]));
    const { log, report } = SegmentLog.open(dir, 1 << 20);
    expect([log.rounds.length, report.repairs, report.bytesCut]).toEqual([2, 1, 14]);
  });

  test("an unreadable cursor resends from the oldest segment instead of failing", async () => {
    const dir = await filled(2);
    writeFileSync(join(dir, "cursor"), "not a cursor");
    expect(SegmentLog.open(dir, 1 << 20).log.rounds.length).toBe(2);
  });
});

describe("segment log: acknowledging and dropping", () => {
  test("acknowledged rounds do not come back, and fully acknowledged segments are deleted", async () => {
    const dir = await filled(6, 500);
    const before = segments(dir).length;
    const { log } = SegmentLog.open(dir, 500);
    for (let i = 0; i < 4; i++) log.ack(log.rounds[0]);
    expect(segments(dir).length).toBeLessThan(before);
    await log.close();
    expect(SegmentLog.open(dir, 500).log.rounds.map((r) => r.seq)).toEqual([5, 6]);
  });

  test("cutAfter removes rounds newer than the checkpoint, on disk too", async () => {
    const dir = await filled(4);
    const { log } = SegmentLog.open(dir, 1 << 20);
    expect(log.cutAfter(2)).toBe(2);
    expect(SegmentLog.open(dir, 1 << 20).log.rounds.map((r) => r.seq)).toEqual([1, 2]);
  });

  test("dropOldestSegment drops a whole segment, marks its rounds and frees the disk", async () => {
    const dir = await filled(6, 500);
    const { log } = SegmentLog.open(dir, 500);
    const first = log.rounds[0];
    const bytes = log.diskBytes;
    const dropped = await log.dropOldestSegment();
    expect(dropped.length).toBeGreaterThan(0);
    expect(first.dropped).toBe(true);
    expect(log.diskBytes).toBeLessThan(bytes);
    expect(existsSync(join(dir, `${String(first.segment).padStart(16, "0")}.wal`))).toBe(false);
  });

  test("new rounds after a reopen go to a new segment and follow the old ones", async () => {
    const dir = await filled(2);
    const { log } = SegmentLog.open(dir, 1 << 20);
    await log.append(3, 3000, round(3));
    await log.close();
    expect(segments(dir).length).toBe(2);
    expect(SegmentLog.open(dir, 1 << 20).log.rounds.map((r) => r.seq)).toEqual([1, 2, 3]);
  });
});
