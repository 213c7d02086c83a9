/**
 * Label-name rules the config must know to reject settings that would make
 * Tempo's processors fail (spec §4.3, §4.4, §6). The naming itself is shared
 * with the processors (util/sanitize-label-name.ts) so both always agree.
 */
import { INTRINSIC_LABELS, dimensionLabelName } from "../util/sanitize-label-name.ts";

export { INTRINSIC_LABELS };

/** The label a span-metrics dimension or dimension mapping gets: sanitized, `__`-prefixed on intrinsic collision. */
export const spanMetricsLabelName = (name: string): string => dimensionLabelName(name);

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** True for a classic Prometheus metric name such as `traces_host_info`. */
export function isValidMetricName(name: string): boolean {
  return METRIC_NAME.test(name);
}
