/** One sample line of the Prometheus text format. */
export interface TextSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Parses Prometheus text exposition (format 0.0.4): `# ` lines are skipped,
 * label values are unescaped, an optional timestamp is ignored. Throws on a
 * line it cannot read, so a malformed exposition fails the test.
 */
export function parseExposition(text: string): TextSample[] {
  const out: TextSample[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)(\s+-?\d+)?$/.exec(line);
    if (m === null) throw new Error(`unreadable exposition line: ${line}`);
    out.push({ name: m[1], labels: m[2] === undefined ? {} : parseLabels(m[2], line), value: parseValue(m[3]) });
  }
  return out;
}

function parseLabels(block: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  if (/^\{\s*\}$/.test(block)) return labels;
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|\})/gy;
  re.lastIndex = 1;
  while (re.lastIndex < block.length) {
    const m = re.exec(block);
    if (m === null) throw new Error(`unreadable labels in exposition line: ${line}`);
    labels[m[1]] = m[2].replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    if (m[3] === "}") break;
  }
  return labels;
}

function parseValue(s: string): number {
  if (s === "+Inf") return Infinity;
  if (s === "-Inf") return -Infinity;
  if (s === "NaN") return NaN;
  const v = Number(s);
  if (Number.isNaN(v)) throw new Error(`unreadable sample value ${s}`);
  return v;
}
