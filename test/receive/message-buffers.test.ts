import { describe, expect, test } from "bun:test";
import { MessageBuffers } from "../../src/receive/message-buffers.ts";

describe("MessageBuffers", () => {
  test("a buffer given back is taken again for a message that fits it", () => {
    const pool = new MessageBuffers(1 << 20, 4);
    const a = pool.take(100_000);
    expect(a.length).toBeGreaterThanOrEqual(100_000);
    pool.give(a);
    expect(pool.kept).toBe(1);
    expect(pool.take(90_000)).toBe(a);
    expect(pool.kept).toBe(0);
  });

  test("a larger message gets a new buffer; the small one stays kept", () => {
    const pool = new MessageBuffers(1 << 20, 4);
    const small = pool.take(10);
    pool.give(small);
    const big = pool.take(small.length + 1);
    expect(big).not.toBe(small);
    expect(big.length).toBeGreaterThan(small.length);
    expect(pool.kept).toBe(1);
  });

  test("buffers over the pooled size are not kept, nor more than maxKept", () => {
    const pool = new MessageBuffers(1 << 20, 2);
    const huge = pool.take((1 << 20) + 1);
    expect(huge.length).toBe((1 << 20) + 1);
    pool.give(huge);
    expect(pool.kept).toBe(0);
    const bs = [pool.take(1), pool.take(1), pool.take(1)];
    for (const b of bs) pool.give(b);
    expect(pool.kept).toBe(2);
  });
});
