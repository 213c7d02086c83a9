import { describe, expect, test } from "bun:test";
import { SlicedJob, inSlices } from "../../src/util/slices.ts";
import { Lane } from "../../src/util/lane.ts";

/** A walk of `n` steps, logging each. */
function* walk(n: number, log: string[]) {
  for (let i = 0; i < n; i++) {
    log.push(`step ${i}`);
    yield;
  }
  return n;
}

describe("inSlices", () => {
  test("gives the event loop back between slices: an immediate queued before the walk runs in between", async () => {
    const log: string[] = [];
    setImmediate(() => log.push("immediate"));
    expect(await inSlices(walk(3, log), 0)).toBe(3);
    expect(log).toEqual(["step 0", "immediate", "step 1", "step 2"]);
  });
});

describe("SlicedJob", () => {
  test("now() finishes a walk that is running in slices; both callers get its result", async () => {
    const log: string[] = [];
    const job = new SlicedJob(walk(5, log));
    const running = job.run(0);
    expect(log).toEqual(["step 0"]);
    expect(job.now()).toBe(5);
    expect(log).toHaveLength(5);
    expect(await running).toBe(5);
  });

  test("an error reaches both the sliced runner and now()", async () => {
    const job = new SlicedJob(
      (function* () {
        yield;
        throw new Error("broken walk");
      })(),
    );
    const running = job.run(0);
    expect(() => job.now()).toThrow("broken walk");
    await expect(running).rejects.toThrow("broken walk");
  });
});

describe("Lane", () => {
  test("jobs run one after another, even when one fails", async () => {
    const lane = new Lane();
    const log: string[] = [];
    const a = lane.run(async () => {
      await inSlices(walk(3, log), 0);
      throw new Error("a failed");
    });
    const b = lane.run(() => log.push("b"));
    expect(lane.busy).toBe(true);
    await expect(a).rejects.toThrow("a failed");
    await b;
    expect(log).toEqual(["step 0", "step 1", "step 2", "b"]);
    expect(lane.busy).toBe(false);
  });
});
