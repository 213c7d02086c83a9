/**
 * YAML text → plain data, keeping the document so problems found later can be
 * pointed at a line and column. Parsing follows Go's yaml.v2 where it matters
 * for Tempo configs: duplicate keys are errors and `<<` merge keys work.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import { ConfigError, type Locate, type PathSegment } from "./config-error.ts";
import { YamlFloat, writtenAsFloat } from "./yaml-float.ts";

/** Parsed YAML plus a way to find where a key path is written. */
export interface YamlSource {
  data: unknown;
  locate: Locate;
}

/**
 * Parses YAML text; syntax errors throw a ConfigError whose lines carry the
 * line and column. `context` names a file other than the main config, if any.
 */
export function parseYaml(text: string, context?: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, merge: true, prettyErrors: true, lineCounter });
  if (doc.errors.length > 0) {
    // Later errors are nearly always knock-on effects of the first one.
    const [summary, ...frame] = doc.errors[0].message.split("\n");
    const excerpt = frame.filter((l) => l.trim() !== "").join("\n    ");
    const more = doc.errors.length > 1 ? ` (and ${doc.errors.length - 1} more)` : "";
    throw new ConfigError([`YAML syntax error${more}: ${summary}${excerpt === "" ? "" : `\n    ${excerpt}`}`], context);
  }
  typeFilterPolicyNumbers(doc.contents, text, false);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    // what only resolving the document finds: an alias without its anchor, an alias bomb
    throw new ConfigError([`YAML error: ${(e as Error).message}`], context);
  }
  return { data, locate: locator(doc, lineCounter) };
}

/** Wraps float-written numbers at `value` keys under `filter_policies` in YamlFloat (see yaml-float.ts). */
function typeFilterPolicyNumbers(node: unknown, text: string, inPolicies: boolean): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      const v = pair.value;
      if (inPolicies && key === "value" && isScalar(v) && typeof v.value === "number" && v.type === "PLAIN" && v.range) {
        const source = text.slice(v.range[0], v.range[1]);
        if (writtenAsFloat(source)) v.value = new YamlFloat(v.value, source);
      } else typeFilterPolicyNumbers(v, text, inPolicies || key === "filter_policies");
    }
  } else if (isSeq(node)) {
    for (const item of node.items) typeFilterPolicyNumbers(item, text, inPolicies);
  }
}

function locator(doc: Document, lines: LineCounter): Locate {
  return (path: readonly PathSegment[]) => {
    const offset = offsetOf(doc, path);
    if (offset === undefined) return undefined;
    const { line, col } = lines.linePos(offset);
    return { line, col };
  };
}

// The offset of the key (for mapping entries) or the item (for list entries) at
// `path`, or of the nearest ancestor that exists in the text.
function offsetOf(doc: Document, path: readonly PathSegment[]): number | undefined {
  for (let depth = path.length; depth > 0; depth--) {
    const parent = depth === 1 ? doc.contents : doc.getIn(path.slice(0, depth - 1), true);
    const last = path[depth - 1];
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(last));
      const node = pair?.key as { range?: [number, number, number] } | undefined;
      if (node?.range) return node.range[0];
    } else {
      const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return node.range[0];
    }
  }
  return undefined;
}
