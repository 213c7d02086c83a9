/**
 * Parity with Tempo's own DRAIN (pkg/drain at main ad33aa8f): the fixture
 * holds what Tempo answers for each call of several span-name streams
 * (produced by a Go program outside this repository, see
 * test/fixtures/drain/README.md). Every call is replayed through
 * SpanNameSanitizer, cache included, and must give Tempo's answer; the
 * counters must equal Tempo's metrics after the stream.
 */
import { describe, expect, test } from "bun:test";
import { tokenize } from "../../../src/registry/drain/line-tokenizer.ts";
import { SpanNameSanitizer } from "../../../src/registry/span-name-sanitizer.ts";
import fixture from "../../fixtures/drain/tempo-parity.json";

interface Stream {
  label: string;
  names: string[];
  outputs: string[];
  calls: number[];
  /** index into outputs, or -1: Tempo returned the name unchanged */
  expected: number[];
  counters: {
    spansSanitized: number;
    patternsDetected: number;
    patternsEvicted: number;
    linesSkippedTooFew: number;
    linesSkippedTooMany: number;
    tokensSum: number;
    tokensCount: number;
    cumulativeBuckets: number[];
    clusters: number;
  };
}

const streams = fixture.streams as Stream[];
const tokenLines = fixture.tokens as [string, string[]][];

describe("SpanNameSanitizer answers every call of a stream as Tempo does", () => {
  test("the fixture has the expected size", () => {
    expect(streams.length).toBe(3);
    expect(streams.reduce((s, x) => s + x.calls.length, 0)).toBeGreaterThan(8000);
  });

  for (const stream of streams) {
    test(stream.label, () => {
      const s = new SpanNameSanitizer();
      const wrong: string[] = [];
      for (let i = 0; i < stream.calls.length; i++) {
        const name = stream.names[stream.calls[i]];
        const want = stream.expected[i] < 0 ? name : stream.outputs[stream.expected[i]];
        const got = s.sanitize(name);
        if (got !== want) wrong.push(`call ${i}: ${JSON.stringify(name)} → ${JSON.stringify(got)}, Tempo ${JSON.stringify(want)}`);
      }
      expect(wrong.slice(0, 5)).toEqual([]);
      const c = s.counters;
      let cumulative = 0;
      const buckets = Array.from(c.tokensPerLine.counts.slice(0, -1), (x) => (cumulative += x));
      expect({
        spansSanitized: c.spansSanitized,
        patternsDetected: c.patternsDetected,
        patternsEvicted: c.patternsEvicted,
        linesSkippedTooFew: c.linesSkippedTooFew,
        linesSkippedTooMany: c.linesSkippedTooMany,
        tokensSum: c.tokensPerLine.sum,
        tokensCount: c.tokensPerLine.count,
        cumulativeBuckets: buckets,
        clusters: s.clusters,
      }).toEqual(stream.counters);
    });
  }
});

test("tokens of random lines over a tricky alphabet are Tempo's", () => {
  expect(tokenLines.length).toBeGreaterThan(500);
  const out: string[] = [];
  const wrong: string[] = [];
  for (const [line, want] of tokenLines) {
    const n = tokenize(line, out);
    const got = out.slice(0, n);
    if (JSON.stringify(got) !== JSON.stringify(want)) wrong.push(`${JSON.stringify(line)} → ${JSON.stringify(got)}, Tempo ${JSON.stringify(want)}`);
  }
  expect(wrong.slice(0, 5)).toEqual([]);
});
