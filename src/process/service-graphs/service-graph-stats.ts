/** Service-graph self-metrics of one tenant (spec §11.1, Tempo's names in /metrics). */
export class ServiceGraphStats {
  /** spans refused because the edge store was full */
  droppedSpans = 0;
  /** new edges, including ones complete at once */
  edges = 0;
  /** unpaired edges expired without emission, by SPAN_KIND_* of the last span */
  readonly expiredEdges = new Map<string, number>();
  /** edges dropped because one side was filtered out */
  droppedEdges = 0;
  /** filtered-side markers that did not fit (max_items) */
  sideCacheOverflow = 0;
  /** edges waiting for their other side right now */
  pendingEdges = 0;
}
