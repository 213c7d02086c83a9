/**
 * Duration strings as Tempo's YAML writes them. Tempo mixes two Go parsers:
 * time.ParseDuration ("1m30s", "1.5s", "500ms", "250us") for its own keys and
 * Prometheus model.ParseDuration ("1d", "2w", "1y") for remote_write and the
 * overrides period. redgen accepts the union of both everywhere, so a value
 * that works in either place in Tempo works in redgen.
 */

const MS_PER_UNIT: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "\u00b5s": 1e-3, // micro sign, accepted by Go
  "\u03bcs": 1e-3, // Greek mu, accepted by Go
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000, // Prometheus: a year is 365 days
};

// One "<number><unit>" component; longer units first so "ms" is not read as "m".
const COMPONENT = /(\d+\.?\d*|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h|d|w|y)/y;

/** A duration that could not be parsed; the message says why. */
export class DurationError extends Error {
  override name = "DurationError";
}

/**
 * Parses a Go/Prometheus duration ("15s", "1m30s", "1.5s", "500ms", "2h", "1d")
 * into milliseconds. The bare number 0 (or "0") means zero, as in Go; any other
 * unit-less number is rejected because Go rejects it too. Negative durations are
 * rejected: no redgen setting has a meaning for them.
 */
export function parseDuration(input: unknown): number {
  if (typeof input === "number") {
    if (input === 0) return 0;
    throw new DurationError(`missing unit in duration ${input} (write e.g. "${input}s")`);
  }
  if (typeof input !== "string") {
    throw new DurationError(`expected a duration such as "15s", got ${typeof input}`);
  }
  const text = input.trim();
  if (text === "0" || text === "+0" || text === "-0") return 0;
  if (text.startsWith("-")) throw new DurationError(`duration "${input}" must not be negative`);
  const body = text.startsWith("+") ? text.slice(1) : text;
  if (body === "") throw new DurationError(`invalid duration "${input}"`);

  let ms = 0;
  COMPONENT.lastIndex = 0;
  while (COMPONENT.lastIndex < body.length) {
    const start = COMPONENT.lastIndex;
    const match = COMPONENT.exec(body);
    if (match === null) {
      const rest = body.slice(start);
      const hint = /^\d+(\.\d*)?$/.test(rest) ? " (missing unit)" : "";
      throw new DurationError(
        `invalid duration "${input}"${hint}: use a number and a unit (ns, us, ms, s, m, h, d, w, y), e.g. "1m30s"`,
      );
    }
    ms += Number(match[1]) * MS_PER_UNIT[match[2]];
  }
  if (!Number.isFinite(ms)) throw new DurationError(`duration "${input}" is too large`);
  return ms;
}
