/**
 * Which processors run (spec §1, §10). Tempo enables processors only through
 * the `processors` override; a config that has processor blocks but no list
 * generates nothing in Tempo. redgen deliberately deviates there (see
 * `defaultProcessors`), because that config almost always means "run these".
 */
import { formatPath, type PathSegment } from "./config-error.ts";
import { PROCESSOR_NAMES, type ProcessorName } from "./types.ts";

/** Keeps the valid processor names of an overrides list; unknown names are ignored with a warning, as in Tempo. */
export function validProcessors(
  names: readonly string[],
  at: readonly PathSegment[],
  warnings: string[],
): ProcessorName[] {
  const valid: ProcessorName[] = [];
  names.forEach((name, i) => {
    if ((PROCESSOR_NAMES as readonly string[]).includes(name)) {
      if (!valid.includes(name as ProcessorName)) valid.push(name as ProcessorName);
      return;
    }
    const why =
      name === "local-blocks"
        ? "the local-blocks processor was removed in Tempo 3.x"
        : `valid names: ${PROCESSOR_NAMES.join(", ")}`;
    warnings.push(`${formatPath([...at, i])}: unknown processor ${JSON.stringify(name)} is ignored (${why})`);
  });
  return valid;
}

/** Which `metrics_generator.processor` blocks are written in the config. */
export interface ConfiguredBlocks {
  span_metrics: boolean;
  service_graphs: boolean;
  host_info: boolean;
}

const BLOCK_PROCESSOR: [keyof ConfiguredBlocks, ProcessorName][] = [
  ["span_metrics", "span-metrics"],
  ["service_graphs", "service-graphs"],
  ["host_info", "host-info"],
];

/**
 * The default tenant's processors. With a `processors` list (even `[]`) that
 * list decides, as in Tempo. Without one, redgen enables the processors whose
 * block is configured and says so in a warning (Tempo would generate nothing).
 */
export function defaultProcessors(
  list: readonly string[] | undefined,
  blocks: ConfiguredBlocks,
  warnings: string[],
): ProcessorName[] {
  const at = ["overrides", "defaults", "metrics_generator", "processors"];
  if (list !== undefined) return validProcessors(list, at, warnings);
  const enabled = BLOCK_PROCESSOR.filter(([block]) => blocks[block]).map(([, name]) => name);
  if (enabled.length === 0) {
    warnings.push(
      `no processors are enabled by default (set ${formatPath(at)}), so tenants without their own overrides entry get no metrics`,
    );
  } else {
    warnings.push(
      `${formatPath(at)} is not set, so Tempo would generate no metrics; redgen enables ${enabled.join(", ")} ` +
        `because their blocks are configured under metrics_generator.processor (set the list explicitly to silence this)`,
    );
  }
  return enabled;
}
