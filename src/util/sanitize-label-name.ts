const VALID = /^[a-zA-Z0-9_]*$/;

/**
 * Prometheus strutil.SanitizeLabelName: every code point outside
 * [a-zA-Z0-9_] becomes one `_` (a multi-byte character is one `_`, each
 * escaped invalid byte is one `_`). A leading digit is kept, as Tempo does.
 */
export function sanitizeLabelName(name: string): string {
  if (VALID.test(name)) return name;
  let out = "";
  for (const ch of name) {
    const c = ch.charCodeAt(0);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
    out += ok ? ch : "_";
  }
  return out;
}

/** The intrinsic span-metrics label names; a dimension that sanitizes to one gets a `__` prefix. */
export const INTRINSIC_LABELS: ReadonlySet<string> = new Set([
  "service",
  "span_name",
  "span_kind",
  "status_code",
  "status_message",
]);

/** Sanitizes and prefixes `__` on a collision with `reserved` (spec §4.3). */
export function dimensionLabelName(name: string, reserved: ReadonlySet<string> = INTRINSIC_LABELS): string {
  const s = sanitizeLabelName(name);
  return reserved.has(s) ? `__${s}` : s;
}
