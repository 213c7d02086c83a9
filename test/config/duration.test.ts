import { describe, expect, test } from "bun:test";
import { DurationError, parseDuration } from "../../src/config/duration.ts";

describe("parseDuration", () => {
  test.each([
    ["15s", 15_000],
    ["1m30s", 90_000],
    ["500ms", 500],
    ["2h", 7_200_000],
    ["1.5s", 1_500],
    [".5s", 500],
    ["1h2m3s4ms", 3_723_004],
    ["250us", 0.25],
    ["1000000ns", 1],
    ["2m0s", 120_000],
    ["1d", 86_400_000],
    ["1w", 604_800_000],
    ["0", 0],
    ["0s", 0],
    ["+5s", 5_000],
  ])("%p is %p ms", (input, ms) => {
    expect(parseDuration(input)).toBeCloseTo(ms, 9);
  });

  test("the bare number 0 is zero, as in Go", () => {
    expect(parseDuration(0)).toBe(0);
  });

  test("other bare numbers need a unit", () => {
    expect(() => parseDuration(15)).toThrow('missing unit in duration 15 (write e.g. "15s")');
    expect(() => parseDuration("15")).toThrow("(missing unit)");
  });

  test.each(["", "abc", "15 s", "1x", "s", "1.2.3s", "5m garbage", "1m-3s"])("rejects %p", (input) => {
    expect(() => parseDuration(input)).toThrow(DurationError);
  });

  test("rejects negative durations and non-strings", () => {
    expect(() => parseDuration("-1s")).toThrow("must not be negative");
    expect(() => parseDuration(true)).toThrow("expected a duration");
  });
});
