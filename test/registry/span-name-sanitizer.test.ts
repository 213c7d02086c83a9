import { describe, expect, test } from "bun:test";
import { SpanNameSanitizer, TOKENS_PER_LINE_BUCKETS } from "../../src/registry/span-name-sanitizer.ts";
import { spanNameStream } from "../support/span-name-families.ts";

const many = (n: number) => "x ".repeat(n);
const longSelect = `SELECT ${Array.from({ length: 20 }, (_, i) => `c${i}`).join(", ")} FROM t WHERE id = `;

// Each family is fed in order to a fresh sanitizer; the expected answers are Tempo's (pkg/drain, checked with a Go program).
const FAMILIES: [string, [string, string][]][] = [
  [
    "REST paths with numeric ids",
    [
      ["GET /api/users/123/orders", "GET /api/users/123/orders"],
      ["GET /api/users/456/orders", "GET /api/users/<_>/orders"],
      ["GET /api/users/123/orders", "GET /api/users/<_>/orders"],
      ["GET /api/users/789/settings", "GET /api/users/789/settings"],
      ["POST /api/users/123/orders", "POST /api/users/123/orders"],
    ],
  ],
  [
    "REST paths with UUIDs",
    [
      ["DELETE /api/sessions/550e8400-e29b-41d4-a716-446655440000", "DELETE /api/sessions/550e8400-e29b-41d4-a716-446655440000"],
      ["DELETE /api/sessions/6ba7b810-9dad-11d1-80b4-00c04fd430c8", "DELETE /api/sessions/<_>"],
    ],
  ],
  [
    "SQL statements: literals merge, tables do not",
    [
      ["SELECT * FROM users WHERE id = 42", "SELECT * FROM users WHERE id = 42"],
      ["SELECT * FROM users WHERE id = 7", "SELECT * FROM users WHERE id = <_>"],
      ["SELECT * FROM orders WHERE id = 42", "SELECT * FROM orders WHERE id = 42"],
      ["SELECT * FROM users WHERE id = 42", "SELECT * FROM users WHERE id = <_>"],
    ],
  ],
  [
    "queue names with partition numbers",
    [
      ["orders-7 process", "orders-7 process"],
      ["orders-12 process", "orders-<_> process"],
      ["payments-3 process", "payments-3 process"],
      ["kafka.consume topic-3", "kafka.consume topic-3"],
      ["kafka.consume topic-17", "kafka.consume topic-<_>"],
      ["kafka.consume topic-3", "kafka.consume topic-<_>"],
    ],
  ],
  [
    "gRPC methods stay apart",
    [
      ["/pkg.Service/GetUser", "/pkg.Service/GetUser"],
      ["/pkg.Service/ListUsers", "/pkg.Service/ListUsers"],
      ["/pkg.Service/GetUser", "/pkg.Service/GetUser"],
      ["/pkg.Service/DeleteUser", "/pkg.Service/DeleteUser"],
    ],
  ],
  [
    "a long statement still within 80 tokens",
    [
      [`${longSelect}1`, `${longSelect}1`],
      [`${longSelect}2`, `${longSelect}<_>`],
    ],
  ],
];

describe("realistic span-name families", () => {
  for (const [what, calls] of FAMILIES) {
    test(what, () => {
      const s = new SpanNameSanitizer();
      expect(calls.map(([name]) => s.sanitize(name))).toEqual(calls.map(([, want]) => want));
    });
  }
});

test("short and over-long names are left alone and counted per call; `HTTP GET` has 4 tokens and is clustered", () => {
  const s = new SpanNameSanitizer();
  const names = ["GET", "", "HTTP GET", "HTTP POST", "GET", many(39) + "y", many(40), many(40)];
  expect(names.map((n) => s.sanitize(n))).toEqual(names);
  expect(s.counters.linesSkippedTooFew).toBe(3); // "GET" (2 tokens with <END>) twice, "" (1)
  expect(s.counters.linesSkippedTooMany).toBe(2); // 81 tokens; 80 is still allowed
  expect(s.counters.patternsDetected).toBe(3);
  expect(s.counters.tokensPerLine.count).toBe(3);
  expect(s.counters.tokensPerLine.sum).toBe(4 + 4 + 80);
});

test("a cached name always gets its cluster's current template", () => {
  const s = new SpanNameSanitizer();
  expect(s.sanitize("GET /users/123")).toBe("GET /users/123");
  expect(s.sanitize("GET /users/123")).toBe("GET /users/123");
  expect(s.sanitize("GET /users/456")).toBe("GET /users/<_>");
  expect(s.sanitize("GET /users/123")).toBe("GET /users/<_>");
  expect(s.counters.spansSanitized).toBe(2);
  expect(s.counters.patternsDetected).toBe(1);
  expect(s.cachedNames).toBe(2);
});

test("counters count every call, cache hits included, as Tempo counts every span", () => {
  const s = new SpanNameSanitizer();
  for (let k = 0; k < 3; k++) for (const n of ["GET /users/1", "GET /users/2", "GET", many(40)]) s.sanitize(n);
  const c = s.counters;
  expect({ san: c.spansSanitized, few: c.linesSkippedTooFew, many: c.linesSkippedTooMany, det: c.patternsDetected }).toEqual({ san: 5, few: 3, many: 3, det: 1 });
  // 6 lines of 7 tokens: DefBuckets end at 10, so they land in the (5, 10] bucket; counts are non-cumulative
  const counts = Array.from(c.tokensPerLine.counts);
  expect(counts.length).toBe(TOKENS_PER_LINE_BUCKETS.length + 1);
  expect(counts[TOKENS_PER_LINE_BUCKETS.indexOf(10)]).toBe(6);
  expect(counts.reduce((a, b) => a + b, 0)).toBe(6);
  expect([c.tokensPerLine.sum, c.tokensPerLine.count]).toEqual([42, 6]);
  expect(c.patternsExpired).toBe(0);
});

test("a name follows Tempo when a new <_> branch reroutes it to another cluster (a plain cache would keep the old one)", () => {
  const s = new SpanNameSanitizer();
  expect(s.sanitize("call checkout-059b63c39-sc5qw")).toBe("call checkout-059b63c39-sc5qw");
  expect(s.sanitize("call checkout-0abc12345-7k2m9")).toBe("call checkout-0abc12345-7k2m9");
  expect(s.sanitize("call checkout-059b63c39-sc5qw")).toBe("call checkout-<_><_>");
});

test("a name whose own cluster is unreachable makes a new cluster on every call, as in Tempo", () => {
  const s = new SpanNameSanitizer();
  for (const n of ["123 a b", "xyz q r", "xyz q r", "xyz q r"]) expect(s.sanitize(n)).toBe(n);
  expect(s.counters.patternsDetected).toBe(4);
});

test("at the cluster cap clusters are evicted; a cached name of an evicted cluster is trained again", () => {
  const s = new SpanNameSanitizer({ maxClusters: 2 });
  s.sanitize("GET /users/1");
  s.sanitize("GET /users/2"); // generalises the first cluster
  s.sanitize("POST /orders/new");
  s.sanitize("kafka.consume topic-3"); // third cluster: one is evicted
  expect(s.clusters).toBe(2);
  expect(s.counters.patternsEvicted).toBe(1);
  // CLOCK: the first cluster was used twice, so the second one ("POST …") went
  expect(s.sanitize("POST /orders/new")).toBe("POST /orders/new");
  expect(s.counters.patternsDetected).toBe(4);
  expect(s.counters.patternsEvicted).toBe(2); // the hand passed the first cluster once: now it went
  expect(s.clusters).toBe(2);
  // so its names start over, verbatim
  expect(s.sanitize("GET /users/1")).toBe("GET /users/1");
  expect([s.counters.patternsDetected, s.counters.patternsEvicted, s.clusters]).toEqual([5, 3, 2]);
});

test("the name cache is bounded and a small cache gives the same answers as a big one", () => {
  const names = spanNameStream(9, 5000, 0.6);
  const big = new SpanNameSanitizer();
  const small = new SpanNameSanitizer({ cacheSize: 50 });
  const differ = names.filter((n) => big.sanitize(n) !== small.sanitize(n));
  expect(differ).toEqual([]);
  expect(small.cachedNames).toBe(50);
  expect(big.cachedNames).toBe(new Set(names).size);
  expect(small.counters).toEqual(big.counters);
});

test("prune makes the tree forget the branches of evicted clusters, which otherwise still route lookups", () => {
  const detected = (prune: boolean) => {
    const s = new SpanNameSanitizer({ maxClusters: 1 });
    s.sanitize("GET /users/123"); // its path has a <_> node after /users/
    s.sanitize("POST /orders/new"); // evicts it
    if (prune) s.prune();
    for (let k = 0; k < 3; k++) expect(s.sanitize("GET /users/me")).toBe("GET /users/me");
    return s.counters.patternsDetected;
  };
  // Unpruned, the lookup takes the dead <_> branch, never reaches the name's own cluster and makes one per call (Tempo too).
  expect(detected(false)).toBe(5);
  expect(detected(true)).toBe(3);
});
