/**
 * Processor settings that appear both in the static processor config and in
 * the per-tenant overrides, validated the same way in both places.
 */
import { z } from "zod";
import type { DimensionMapping } from "./types.ts";
import { opt, strictBlock, withDefault } from "./schema-blocks.ts";
import { valueNotes } from "./parse-notes.ts";
import { bool, finiteNumber, nonEmptyStr, str } from "./schema-scalars.ts";
import { isValidMetricName } from "./label-names.ts";

/**
 * Classic histogram bucket bounds, finite. Tempo sorts them when it builds the
 * histogram, so an unsorted list is accepted and sorted (with a warning);
 * repeated bounds are dropped, since Tempo would write the same `le` series
 * twice and fail every collection.
 */
export const histogramBuckets = z.array(finiteNumber).transform((buckets) => {
  const sorted = [...new Set(buckets)].sort((a, b) => a - b);
  if (sorted.length === buckets.length && sorted.every((b, i) => b === buckets[i])) return buckets;
  const dropped = buckets.length - sorted.length;
  valueNotes.set(sorted, (path) => `${path}: buckets sorted to [${sorted.join(", ")}]${dropped > 0 ? ` (${dropped} repeated bound${dropped > 1 ? "s" : ""} dropped)` : ""}`);
  return sorted;
});

/** Attribute names used as dimensions (raw names with dots; sanitized into label names later). */
export const dimensionList = z.array(nonEmptyStr);

/** `intrinsic_dimensions` as a partial map: only the five intrinsic keys are allowed. */
export const intrinsicDimensionsPartial = strictBlock({
  service: opt(bool),
  span_name: opt(bool),
  span_kind: opt(bool),
  status_code: opt(bool),
  status_message: opt(bool),
});

/** One `dimension_mappings` item: a label built by joining several attributes. */
export const dimensionMapping = strictBlock({
  name: nonEmptyStr,
  source_labels: z.array(nonEmptyStr).min(1),
  join: withDefault(str, ""),
}).transform((m): DimensionMapping => ({ name: m.name, source_labels: m.source_labels, join: m.join }));

/** `host_info.host_identifiers`: resource attributes tried in order; must not be empty. */
export const hostIdentifiers = z.array(nonEmptyStr).min(1);

/** `host_info.metric_name`: must be a valid Prometheus metric name. */
export const hostInfoMetricName = str.superRefine((name, ctx) => {
  if (!isValidMetricName(name)) {
    ctx.addIssue({ code: "custom", message: `${JSON.stringify(name)} is not a valid Prometheus metric name` });
  }
});
