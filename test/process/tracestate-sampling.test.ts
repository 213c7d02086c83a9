import { describe, expect, test } from "bun:test";
import { tracestateMultiplier } from "../../src/process/tracestate-sampling.ts";

// Expected values were produced by the OpenTelemetry Collector's sampling
// package (pkg/sampling v0.153.0, the version Tempo vendors) driven the way
// Tempo's MultiplierFromTraceState drives it; 0 means "fall back to
// span_multiplier_key". A throwaway Go program compared 20,486 generated
// tracestates with this implementation and found no difference.
const rows: [rule: string, tracestate: string, expected: number][] = [
  ["th:8 is 50 % sampling", "ot=th:8", 2],
  ["th:0 samples everything", "ot=th:0", 1],
  ["other vendors around the ot entry", "vendor1=value1,ot=th:8,vendor2=value2", 2],
  ["without rv a fractional count stays fractional", "ot=th:1", 1.0666666666666667],
  ["the largest threshold (computed on the exact 56-bit integer)", "ot=th:ffffffffffffff", 72057594037927936],
  ["a malformed rv next to a valid th fails the entry", "ot=th:8;rv:zz", 0],
  ["an rv of 13 digits fails the entry", "ot=th:8;rv:0011223344556", 0],
  ["duplicate ot entries: the first one counts", "ot=th:8,ot=th:c", 2],
  ["a later th inside one entry replaces the earlier one", "ot=th:8;th:c", 4],
  ["an empty th fails the entry", "ot=th:8;th:", 0],
  ["a trailing ; fails the entry", "ot=th:8;", 0],
  ["whitespace before the comma fails the entry", "ot=th:8 ,a=b", 0],
  ["whitespace at the very end is trimmed", "ot=th:8 ", 2],
  ["a member with an upper-case key fails the entry", "ot=th:8;X:1", 0],
  ["other lower-case keys with any value characters are allowed", "ot=th:8;x1:a.b_c-D", 2],
  ["an empty member fails the entry", "ot=;th:8", 0],
  ["upper-case hex in th is accepted", "ot=th:C", 4],
  ["upper-case hex in rv is accepted", "ot=th:AB;rv:FFFFFFFFFFFFFF", 3],
  ["Go trims U+00A0 before ot=", "\u00a0ot=th:8", 2],
  ["Go does not trim U+FEFF", "\ufeffot=th:8", 0],
  ["ot must start a member", "x=ot=th:8", 0],
  ["a leading comma is skipped", ",ot=th:8", 2],
  ["more than 14 th digits fail the entry", "ot=th:fffffffffffffff", 0],
  // Stochastic rounding: rv's top 53 bits (rv >> 3) against the fraction, exactly as Tempo compares them.
  ["rounding boundary: th:3, rv just above the fraction's 53-bit value", "ot=th:3;rv:3b13b13b13b13f", 2],
  ["rounding boundary: th:7ff", "ot=th:7ff;rv:ffc007ff001ffc", 2],
  ["rounding boundary: th:5555", "ot=th:5555;rv:7fff40005fffcf", 2],
  ["rounding boundary: th:deadbeef", "ot=th:deadbeef;rv:aeca2989c1317c", 8],
  ["rounding: rv of zero rounds up", "ot=th:ab;rv:00000000000000", 4],
  ["rounding: the largest rv rounds down", "ot=th:ab;rv:ffffffffffffff", 3],
];

describe("tracestate sampling multiplier, as Tempo parses ot= with the Collector's grammar", () => {
  test.each(rows)("%s", (_rule, tracestate, expected) => {
    expect(tracestateMultiplier(tracestate)).toBe(expected);
  });
});
