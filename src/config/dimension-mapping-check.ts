/**
 * A span-metrics dimension mapping whose label collides with another label
 * makes Tempo fail to create the processor (spec §4.4). redgen checks this at
 * load, on each tenant's effective config, because overrides can change the
 * dimensions, intrinsics and mappings independently.
 */
import type { PathSegment, Problems } from "./config-error.ts";
import type { SpanMetricsConfig } from "./types.ts";
import { INTRINSIC_LABELS, spanMetricsLabelName } from "./label-names.ts";

/** Records a problem at `at.<i>.name` for every mapping label that collides. */
export function checkDimensionMappings(sm: SpanMetricsConfig, at: readonly PathSegment[], problems: Problems): void {
  const intrinsics = new Set([...INTRINSIC_LABELS].filter((name) => sm.intrinsic_dimensions[name as keyof typeof sm.intrinsic_dimensions]));
  const dimensionLabels = new Map(sm.dimensions.map((d) => [spanMetricsLabelName(d), d]));
  const mappingLabels = new Map<string, string>();
  sm.dimension_mappings.forEach((mapping, i) => {
    const label = spanMetricsLabelName(mapping.name);
    const where = [...at, i, "name"];
    if ((intrinsics as Set<string>).has(label)) {
      problems.add(where, `label ${JSON.stringify(label)} collides with the enabled intrinsic dimension ${label}`);
    } else if (dimensionLabels.has(label)) {
      const dimension = JSON.stringify(dimensionLabels.get(label));
      problems.add(where, `label ${JSON.stringify(label)} collides with dimension ${dimension}`);
    } else if (mappingLabels.has(label)) {
      const other = JSON.stringify(mappingLabels.get(label));
      problems.add(where, `label ${JSON.stringify(label)} collides with dimension mapping ${other}`);
    }
    mappingLabels.set(label, mapping.name);
  });
}
