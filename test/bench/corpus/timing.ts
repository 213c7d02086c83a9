/**
 * Gives a finished trace its times, in ns since the corpus's relative epoch:
 * log-normal durations, children run one after another inside their parent
 * (with a little network time around HTTP calls), and a Kafka consumer starts
 * after a queue lag, outside its producer. Nothing reads the wall clock;
 * senders shift the stored times to "now" (wire-patch.ts).
 */
import type { Rng } from "./rng.ts";
import { type GSpan, Type } from "./span.ts";

/** Lays out the times of `s` and its subtree, starting at `start` (ns). Returns the span's end. */
export function layOutTimes(rng: Rng, s: GSpan, start: number): number {
  s.startNs = start;
  if (s.type === Type.Db) return (s.endNs = start + rng.lognormalNs(s.db?.system === "redis" ? 0.4 : 2.5, 1.0, 800));
  if (s.type === Type.Internal) return (s.endNs = start + rng.lognormalNs(0.3, 1.2, 200));
  if (s.type === Type.Producer) {
    s.endNs = start + rng.lognormalNs(1.2, 0.7, 300);
    // the consumer runs later, outside the producer (queue lag)
    for (const c of s.children) layOutTimes(rng, c, s.endNs + rng.lognormalNs(15, 1.0, 1500));
    return s.endNs;
  }
  if (s.type === Type.HttpClient) {
    const server = s.children[0];
    const net = rng.lognormalNs(0.25, 0.5, 20);
    const serverEnd = layOutTimes(rng, server, start + net);
    return (s.endNs = serverEnd + rng.lognormalNs(0.25, 0.5, 20));
  }
  // server or consumer: some own time, then children in order, then some more
  let cursor = start + rng.lognormalNs(1.5, 0.8, 400);
  for (const c of s.children) {
    const end = layOutTimes(rng, c, cursor);
    cursor = c.type === Type.Producer ? c.endNs : end;
    cursor += rng.lognormalNs(0.05, 0.8, 20);
  }
  return (s.endNs = cursor + rng.lognormalNs(0.8, 0.8, 400));
}
