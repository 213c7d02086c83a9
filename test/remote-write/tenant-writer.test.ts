import { describe, expect, test } from "bun:test";
import { TenantWriter } from "../../src/remote-write/tenant-writer.ts";
import { Lane } from "../../src/util/lane.ts";
import { poll } from "../support/poll.ts";

/** A writer with no endpoints whose rounds are only counted (captures), over an empty registry. */
function writer(intervalMs: number) {
  const rounds: number[] = [];
  const w = new TenantWriter<number>(
    "t",
    { collectSteps: function* () {}, walks: new Lane() },
    [],
    intervalMs,
    false,
    {
      *capture(seq, ts) {
        rounds.push(ts);
        return seq;
      },
      write: async () => true,
      writeSync: () => true,
      durable: () => {},
    },
  );
  return { w, rounds };
}

describe("a changed collection interval applies while running (spec §10)", () => {
  test("a shorter interval takes effect at once, counted from the last round", async () => {
    const { w, rounds } = writer(3_600_000);
    w.start();
    w.reconfigure(25, false);
    await poll("three rounds at the new interval", () => (rounds.length >= 3 ? true : undefined), { timeoutMs: 5000, intervalMs: 10 });
    await w.finish();
    for (let i = 1; i < 3; i++) expect(rounds[i] - rounds[i - 1]).toBeGreaterThanOrEqual(20);
  });
});

describe("a round goes to its endpoints as it was encoded", () => {
  test("send_native_histograms changing while an earlier round is still being written does not lose the round", async () => {
    const appended: number[] = [];
    const queue = { release() {}, append: async (_seq: number, _ts: number, reqs: readonly unknown[]) => void appended.push(reqs.length) };
    let native = true;
    const gate = Promise.withResolvers<boolean>();
    let writes = 0;
    const registry = {
      walks: new Lane(),
      *collectSteps(ts: number, sink: import("../../src/registry/sink.ts").SeriesSink) {
        sink.family("c_total", "counter", { help: "", unit: "" });
        sink.begin("c_total", ["a", "x"], undefined, 1);
        sink.sample(ts, 1);
      },
    };
    const w = new TenantWriter<number>(
      "t",
      registry,
      [{ queue: queue as never, maxSamplesPerSend: 100, sendExemplars: true, protocol: "v1", sendNative: () => native }],
      3_600_000,
      false,
      {
        *capture(seq) {
          return seq;
        },
        // the first checkpoint write hangs until released: the second round's step waits behind it
        write: () => (++writes === 1 ? gate.promise : Promise.resolve(true)),
        writeSync: () => true,
        durable: () => {},
      },
    );
    const first = w.collectRound(Date.now());
    const second = w.collectRound(Date.now());
    native = false; // an overrides reload switches the tenant to classic meanwhile
    gate.resolve(true);
    await first;
    await second;
    expect(appended).toEqual([1, 1]);
  });
});

describe("a round runs in slices (no long event-loop pause)", () => {
  /** A registry whose walk has `steps` steps of ~1 ms each (a big registry, in small pieces), logging what runs when. */
  function slowRegistry(steps: number, log: string[]) {
    return {
      walks: new Lane(),
      *collectSteps() {
        log.push("round start");
        for (let i = 0; i < steps; i++) {
          const end = performance.now() + 1;
          while (performance.now() < end);
          yield;
        }
        log.push("round end");
      },
    };
  }

  function slowWriter(steps: number) {
    const log: string[] = [];
    const registry = slowRegistry(steps, log);
    const queue = { release() {}, append: async () => {} };
    const endpoint = { queue: queue as never, maxSamplesPerSend: 100, sendExemplars: true, protocol: "v1" as const, sendNative: () => false };
    const w = new TenantWriter<number>("t", registry, [endpoint], 3_600_000, false, {
      *capture(seq) {
        log.push(`capture ${seq}`);
        return seq;
      },
      write: async () => true,
      writeSync: () => true,
      durable: () => {},
    });
    return { w, log, registry };
  }

  test("timers run while a long round goes on, and a sweep (the lane) waits for the round's end", async () => {
    const { w, log, registry } = slowWriter(60);
    const round = w.collectRound(Date.now());
    let timerRuns = 0;
    const timer = setInterval(() => {
      timerRuns++;
      if (timerRuns === 1) {
        log.push("timer");
        void registry.walks.run(() => log.push("sweep"));
      }
    }, 1);
    await round;
    clearInterval(timer);
    await registry.walks.run(() => {});
    expect(log).toEqual(["round start", "timer", "round end", "capture 1", "sweep"]);
    // about 60 ms of walk in 8 ms slices: the interval timer fired in between, several times
    expect(timerRuns).toBeGreaterThan(2);
  });

  test("a rebalance's synchronous checkpoint during a round finishes the round first, so the checkpoint covers it", async () => {
    const { w, log } = slowWriter(40);
    const round = w.collectRound(Date.now());
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(log).toEqual(["round start"]);
    expect(w.checkpointSync()).toBe(true);
    expect(log).toEqual(["round start", "round end", "capture 1", "capture 1"]);
    await round;
  });
});
