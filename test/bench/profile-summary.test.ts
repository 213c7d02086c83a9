import { expect, test } from "bun:test";
import { summarise } from "./profile-summary.ts";

const frame = (functionName: string) => ({ functionName, url: "", lineNumber: -1 });

test("frames are weighed by their samples, not by the idle gap before a sample", () => {
  // root → loop → {decode, read}; `read` is sampled once right after a 500 ms idle gap
  const profile = {
    nodes: [
      { id: 1, callFrame: frame("(root)"), children: [2] },
      { id: 2, callFrame: frame("loop"), children: [3, 4] },
      { id: 3, callFrame: frame("decode") },
      { id: 4, callFrame: frame("read") },
    ],
    samples: [3, 3, 3, 4],
    timeDeltas: [1000, 1000, 1000, 500_000],
  };
  const out = summarise(profile, "loop", 5);
  expect(out).toContain("4 samples inside loop");
  expect(out).toMatch(/\| 1 \| 75\.0% \| 75\.0% \| `decode` \|/);
  expect(out).toMatch(/\| 2 \| 25\.0% \| 25\.0% \| `read` \|/);
});
