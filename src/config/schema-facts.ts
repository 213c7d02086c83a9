/**
 * Facts about the config schemas, computed when the binary is built: Bun
 * imports this as a macro (`with { type: "macro" }`), so each call becomes a
 * literal and a start from the embedded default never evaluates zod or the
 * schemas (~20 ms of module evaluation). Plain JSON: a test compares each
 * with the schemas at run time.
 */
import { hostInfoSchema, serviceGraphsSchema, spanMetricsSchema } from "./schema-processors.ts";
import { rootSchema } from "./schema-root.ts";

/** Each processor block as an empty mapping parses (the defaults of spec §13). */
export function processorDefaults(): unknown {
  return JSON.parse(
    JSON.stringify({
      span_metrics: spanMetricsSchema.parse({}),
      service_graphs: serviceGraphsSchema.parse({}),
      host_info: hostInfoSchema.parse({}),
    }),
  );
}

/** The top-level keys tempo.yaml's schema knows (read, ignored or another version's). */
export function rootKeys(): string[] {
  return Object.keys(rootSchema.shape);
}
