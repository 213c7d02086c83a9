import { describe, expect, test } from "bun:test";
import { END_TOKEN, joinTokens, tokenize } from "../../../src/registry/drain/line-tokenizer.ts";

function tokens(line: string): string[] {
  const out: string[] = [];
  return out.slice(0, tokenize(line, out));
}

// Expected token lists are Tempo's (checked against pkg/drain with a Go program, see test/fixtures/drain/README.md).
const CASES: [string, string, string[]][] = [
  ["REST path with an id", "GET /api/users/123/orders", ["GET", " ", "/", "api", "/", "users", "/", "123", "/", "orders"]],
  ["query string with %XX", "GET /search?q=red%20shoes&page=2", ["GET", " ", "/", "search", "?", "q", "=", "red", "%20", "shoes", "&", "page", "=", "2"]],
  ["% before non-hex stands alone", "GET /files/a%2Fb%zz", ["GET", " ", "/", "files", "/", "a", "%2F", "b", "%", "zz"]],
  ["% + one hex digit at the end stays together", "x %4", ["x", " ", "%4"]],
  ["% + any character at the end stays together", "x %g", ["x", " ", "%g"]],
  ["% at the end", "x %", ["x", " ", "%"]],
  ["% + one hex digit inside steps back", "x %4g y", ["x", " ", "%", "4g", " ", "y"]],
  ["a lone %4", "%4", ["%4"]],
  ["UUID", "user 550e8400-e29b-41d4-a716-446655440000 done", ["user", " ", "550e8400-e29b-41d4-a716-446655440000", " ", "done"]],
  ["hex object id", "obj 5f2b9c1e8a7d4e3f2a1b0c9d x", ["obj", " ", "5f2b9c1e8a7d4e3f2a1b0c9d", " ", "x"]],
  ["k8s pod name: hex run takes the dash", "call payment-7d9f8b6c5-x2k4q", ["call", " ", "payment", "-", "7d9f8b6c5-", "x2k4q"]],
  ["hex-led words take a dash, others do not", "e-mail ab12-34 abc-def-ghi", ["e-", "mail", " ", "ab12-34", " ", "abc-def-", "ghi"]],
  ["hex run turning alphanumeric", "order2 v1234567 deadbeefx1", ["order2", " ", "v1234567", " ", "deadbeefx1"]],
  ["space runs, incl. U+00A0 and U+0085", "get   many\t\tspaces\u00a0\u0085here", ["get", "   ", "many", "\t\t", "spaces", "\u00a0\u0085", "here"]],
  ["Cyrillic letters", "получить /пользователи/42", ["получить", " ", "/", "пользователи", "/", "42"]],
  ["fullwidth digits are hex digits", "注文 １２３ 確認", ["注文", " ", "１２３", " ", "確認"]],
  ["fullwidth hex letters", "Ａｆ０ ｆｇ", ["Ａｆ０", " ", "ｆｇ"]],
  ["symbols and punctuation one by one", "a$b+c<d>e|f~g", ["a", "$", "b", "+", "c", "<", "d", ">", "e", "|", "f", "~", "g"]],
  ["astral symbol", "📦 ship 12", ["📦", " ", "ship", " ", "12"]],
  ["an invalid byte (lone surrogate) alone", "upload x\udc80y.bin", ["upload", " ", "x", "\udc80", "y", ".", "bin"]],
  ["other numbers", "x ²³ Ⅻ ٣٤", ["x", " ", "²³", " ", "Ⅻ", " ", "٣٤"]],
  ["SQL", "SELECT * FROM users WHERE id = 42", ["SELECT", " ", "*", " ", "FROM", " ", "users", " ", "WHERE", " ", "id", " ", "=", " ", "42"]],
  ["queue with partition", "kafka.consume topic-3", ["kafka", ".", "consume", " ", "topic", "-", "3"]],
  ["gRPC method", "/pkg.Service/GetUser", ["/", "pkg", ".", "Service", "/", "GetUser"]],
  ["NUL is a character", "a\u0000b", ["a", "\u0000", "b"]],
  ["one word", "GET", ["GET"]],
  ["empty", "", []],
];

describe("tokenize splits like Tempo's lexer and ends with <END>", () => {
  for (const [what, line, want] of CASES) {
    test(what, () => {
      const got = tokens(line);
      expect(got).toEqual([...want, END_TOKEN]);
      expect(joinTokens(got, got.length)).toBe(line);
    });
  }
});

test("the output buffer is reused: a shorter line overwrites the start and reports its own count", () => {
  const out: string[] = [];
  expect(tokenize("a b c d", out)).toBe(8);
  expect(tokenize("x y", out)).toBe(4);
  expect(out.slice(0, 4)).toEqual(["x", " ", "y", END_TOKEN]);
});
