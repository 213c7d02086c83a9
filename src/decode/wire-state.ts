import type { KeyMatcher } from "./key-matcher.ts";
import type { ResourceCache } from "./resource-cache.ts";
import type { SpanBatch } from "./span-batch.ts";
import type { StringTable } from "./string-table.ts";
import type { Cursor } from "./wire-reader.ts";

/** What the wire decoder's functions share while walking one request. */
export interface WireState {
  buf: Uint8Array;
  view: DataView;
  c: Cursor;
  matcher: KeyMatcher;
  strings: StringTable;
  resources: ResourceCache;
  batch: SpanBatch;
  /** spans the batch columns can hold before they must grow */
  capacity: number;
  /** size and read ids as Tempo does after its distributor re-marshalled through pdata (OTLP paths, not Kafka) */
  pdata: boolean;
}
