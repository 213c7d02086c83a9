import { describe, expect, test } from "bun:test";
import { HpackDecoder } from "../../../src/receive/h2/hpack-decoder.ts";
import { decodeAll, hex } from "./hpack-test-util.ts";

// RFC 7541 Appendix C: each example's block, the decoded list, and the dynamic table after it.

interface Step {
  block: string;
  headers: Array<[string, string]>;
  table: Array<[string, string]>;
  size: number;
}

function runSequence(decoder: HpackDecoder, steps: Step[]): void {
  for (const step of steps) {
    expect(decodeAll(decoder, hex(step.block))).toEqual(step.headers);
    expect(decoder.tableEntries()).toEqual(step.table);
    expect(decoder.tableSize).toBe(step.size);
  }
}

describe("RFC 7541 C.2 header field representations", () => {
  test("C.2.1 literal with indexing adds the field to the table", () => {
    runSequence(new HpackDecoder(), [
      {
        block: "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572",
        headers: [["custom-key", "custom-header"]],
        table: [["custom-key", "custom-header"]],
        size: 55,
      },
    ]);
  });
  test("C.2.2 literal without indexing leaves the table empty", () => {
    runSequence(new HpackDecoder(), [
      { block: "040c 2f73 616d 706c 652f 7061 7468", headers: [[":path", "/sample/path"]], table: [], size: 0 },
    ]);
  });
  test("C.2.3 literal never indexed leaves the table empty", () => {
    runSequence(new HpackDecoder(), [
      { block: "1008 7061 7373 776f 7264 0673 6563 7265 74", headers: [["password", "secret"]], table: [], size: 0 },
    ]);
  });
  test("C.2.4 indexed static field", () => {
    runSequence(new HpackDecoder(), [{ block: "82", headers: [[":method", "GET"]], table: [], size: 0 }]);
  });
});

const REQUEST_1: Array<[string, string]> = [
  [":method", "GET"],
  [":scheme", "http"],
  [":path", "/"],
  [":authority", "www.example.com"],
];
const REQUEST_2: Array<[string, string]> = [...REQUEST_1, ["cache-control", "no-cache"]];
const REQUEST_3: Array<[string, string]> = [
  [":method", "GET"],
  [":scheme", "https"],
  [":path", "/index.html"],
  [":authority", "www.example.com"],
  ["custom-key", "custom-value"],
];
const requestSteps = (blocks: [string, string, string]): Step[] => [
  { block: blocks[0], headers: REQUEST_1, table: [[":authority", "www.example.com"]], size: 57 },
  {
    block: blocks[1],
    headers: REQUEST_2,
    table: [
      ["cache-control", "no-cache"],
      [":authority", "www.example.com"],
    ],
    size: 110,
  },
  {
    block: blocks[2],
    headers: REQUEST_3,
    table: [
      ["custom-key", "custom-value"],
      ["cache-control", "no-cache"],
      [":authority", "www.example.com"],
    ],
    size: 164,
  },
];

test("C.3 requests without Huffman coding, one connection", () => {
  runSequence(
    new HpackDecoder(),
    requestSteps([
      "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
      "8286 84be 5808 6e6f 2d63 6163 6865",
      "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65",
    ]),
  );
});

test("C.4 requests with Huffman coding, one connection", () => {
  runSequence(
    new HpackDecoder(),
    requestSteps([
      "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
      "8286 84be 5886 a8eb 1064 9cbf",
      "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf",
    ]),
  );
});

const DATE_1 = "Mon, 21 Oct 2013 20:13:21 GMT";
const DATE_2 = "Mon, 21 Oct 2013 20:13:22 GMT";
const LOCATION = "https://www.example.com";
const COOKIE = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";
// A 256-byte table, so these responses evict.
const responseSteps = (blocks: [string, string, string]): Step[] => [
  {
    block: blocks[0],
    headers: [
      [":status", "302"],
      ["cache-control", "private"],
      ["date", DATE_1],
      ["location", LOCATION],
    ],
    table: [
      ["location", LOCATION],
      ["date", DATE_1],
      ["cache-control", "private"],
      [":status", "302"],
    ],
    size: 222,
  },
  {
    block: blocks[1],
    headers: [
      [":status", "307"],
      ["cache-control", "private"],
      ["date", DATE_1],
      ["location", LOCATION],
    ],
    table: [
      [":status", "307"],
      ["location", LOCATION],
      ["date", DATE_1],
      ["cache-control", "private"],
    ],
    size: 222,
  },
  {
    block: blocks[2],
    headers: [
      [":status", "200"],
      ["cache-control", "private"],
      ["date", DATE_2],
      ["location", LOCATION],
      ["content-encoding", "gzip"],
      ["set-cookie", COOKIE],
    ],
    table: [
      ["set-cookie", COOKIE],
      ["content-encoding", "gzip"],
      ["date", DATE_2],
    ],
    size: 215,
  },
];

test("C.5 responses without Huffman coding, with eviction", () => {
  runSequence(
    new HpackDecoder(256),
    responseSteps([
      `4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133
       2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70
       6c65 2e63 6f6d`,
      "4803 3330 37c1 c0bf",
      `88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d
       54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049
       5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e
       3d31`,
    ]),
  );
});

test("C.6 responses with Huffman coding, with eviction", () => {
  runSequence(
    new HpackDecoder(256),
    responseSteps([
      `4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6
       2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3`,
      "4883 640e ffc1 c0bf",
      `88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab
       77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f
       9587 3160 65c0 03ed 4ee5 b106 3d50 07`,
    ]),
  );
});
