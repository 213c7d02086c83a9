import { describe, expect, test } from "bun:test";
import { type OracleWrite, runNativeOracle } from "../../support/native-oracle.ts";
import { replay } from "./replay.ts";
import { vectors } from "./vectors.ts";

/** The comparable form: numbers as Go prints them (so NaN equals NaN), les as numbers. */
function normal(w: OracleWrite): unknown {
  return {
    ...w,
    sum: String(w.sum),
    classic: w.classic.map((b) => ({ ...b, le: Number(b.le === "+Inf" ? Infinity : b.le) })),
  };
}

describe("native histograms match client_golang's, bucket index by bucket index (Go oracle)", () => {
  const cases = [...vectors(1), ...vectors(2)];
  const expected = runNativeOracle(cases.map((v) => v.c));
  let writes = 0;
  for (const e of expected) writes += e.length;

  test(`the vectors are many and varied (${cases.length} cases, ${writes} collections)`, () => {
    expect(cases.length).toBeGreaterThan(80);
    // The oracle halved resolutions, reset and kept exemplars somewhere, or the vectors test too little.
    const all = expected.flat();
    expect(all.some((w) => w.schema < 3)).toBe(true);
    expect(all.some((w) => w.negativeSpans.length > 0)).toBe(true);
    expect(all.some((w) => w.exemplars.length === 10)).toBe(true);
    expect(all.some((w) => w.classic.some((b) => b.exemplar !== undefined))).toBe(true);
    expect(new Set(all.map((w) => w.createdMs)).size).toBeGreaterThan(cases.length);
  });

  cases.forEach(({ name, c }, i) => {
    test(name, () => {
      const got = replay(c);
      expect(got.length).toBe(expected[i].length);
      for (let k = 0; k < got.length; k++) expect({ k, ...(normal(got[k]) as object) }).toEqual({ k, ...(normal(expected[i][k]) as object) });
    });
  });
});
