import { expect, test } from "bun:test";
import { isLikelyData } from "../../../src/registry/drain/data-heuristic.ts";

// Tempo's answers (pkg/drain/data_heuristic.go, checked with a Go program; also compared over ~33,000 tokens).
const CASES: [string, boolean][] = [
  ["123", true],
  ["7", true], // hex-like with a digit (significantNumbers alone would say no: 1 is not > 1)
  ["a1f3", true],
  ["550e8400-e29b-41d4-a716-446655440000", true],
  ["7d9f8b6c5-", true],
  ["%2F", true], // `%` is punctuation
  ["deadbeef", false], // hex but no digit
  ["users", false],
  ["order2", false], // 1 number, not more than max(6/4, 1)
  ["v12", true], // 2 numbers > max(3/4, 1)
  ["x2k4q", true], // 2 > max(5/4, 1)
  ["sc5qw", false],
  ["topic", false],
  ["１２３", true], // fullwidth digits are numbers (and hex digits)
  ["注文１", false], // 1 number; the 9 bytes count for the length, not 3 characters
  ["注1２３", true], // 3 > max(10/4, 1)
  ["Ⅻ", true], // a number (Nl) and nothing else
  ["ggg12", true], // 2 > max(5/4, 1)
  ["ééé12", false], // 2 is not > max(8/4, 1): Go counts the length in UTF-8 bytes
  ["v1", false],
  ["²³", true],
  ["ab_12", true], // `_` is punctuation
  ["ab$1", false], // `$` is a symbol, not punctuation
  ["ab$12", true], // but 2 numbers > max(5/4, 1)
  ["\udc80", false], // an invalid byte
  ["", false],
];

test.each(CASES)("isLikelyData(%p) is %p", (token, want) => {
  expect(isLikelyData(token)).toBe(want);
});
