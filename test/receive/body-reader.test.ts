import { describe, expect, test } from "bun:test";
import { freeNow, readBody } from "../../src/receive/body-reader.ts";
import { InflightBudget } from "../../src/receive/inflight-budget.ts";

describe("freeNow", () => {
  test("releases the store of a view over a whole buffer", () => {
    const bytes = new Uint8Array(270_000).fill(7);
    const buf = bytes.buffer;
    freeNow(bytes);
    expect(buf.detached).toBe(true);
    expect(bytes.length).toBe(0);
  });

  test("leaves a slice of a larger buffer alone (a pool's neighbours keep their bytes)", () => {
    const whole = new Uint8Array(1024).fill(3);
    const head = whole.subarray(0, 512);
    const tail = whole.subarray(512);
    freeNow(tail);
    freeNow(head.subarray(0, 100));
    expect(whole.buffer.detached).toBe(false);
    expect(head[0]).toBe(3);
    expect(tail[511]).toBe(3);
  });

  test("an empty or already released buffer is a no-op", () => {
    const empty = new Uint8Array(0);
    freeNow(empty);
    const bytes = new Uint8Array(16);
    freeNow(bytes);
    expect(() => freeNow(bytes)).not.toThrow();
  });
});

describe("readBody ownership", () => {
  const budget = () => new InflightBudget(1 << 20);

  test("a body read whole (Content-Length) is redgen's own copy", async () => {
    const req = new Request("http://x/v1/traces", { method: "POST", body: new Uint8Array(100).fill(1), headers: { "content-length": "100" } });
    const read = await readBody(req, 1000, budget());
    expect(read.ok && read.owned).toBe(true);
    if (read.ok) expect(read.bytes.length).toBe(100);
  });

  test("a single streamed chunk is not (the stream handed it over), a joined body is", async () => {
    const one = new Request("http://x/v1/traces", { method: "POST", body: new ReadableStream({ start(c) { c.enqueue(new Uint8Array(10)); c.close(); } }) });
    const r1 = await readBody(one, 1000, budget());
    expect(r1.ok && !r1.owned).toBe(true);
    const two = new Request("http://x/v1/traces", {
      method: "POST",
      body: new ReadableStream({ start(c) { c.enqueue(new Uint8Array(10).fill(1)); c.enqueue(new Uint8Array(5).fill(2)); c.close(); } }),
    });
    const r2 = await readBody(two, 1000, budget());
    expect(r2.ok && r2.owned).toBe(true);
    if (r2.ok) expect([...r2.bytes]).toEqual([...new Array(10).fill(1), ...new Array(5).fill(2)]);
  });
});
