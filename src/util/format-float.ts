/**
 * Formats a float the way Go's strconv.FormatFloat(v, 'f', -1, 64) does:
 * the shortest digits that round-trip, always in plain decimal notation.
 * Tempo uses it for attribute values and `le` labels, so `1e21` must print as
 * `1000000000000000000000` and `1e-7` as `0.0000001` (JS would use exponents).
 */
export function formatFloat(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  const s = String(v);
  const e = s.indexOf("e");
  if (e === -1) return s;
  return expandExponent(s, e);
}

function expandExponent(s: string, e: number): string {
  const negative = s.charCodeAt(0) === 45; // "-"
  const mantissa = s.slice(negative ? 1 : 0, e);
  const exponent = Number(s.slice(e + 1));
  const dot = mantissa.indexOf(".");
  const digits = dot === -1 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  // Position of the decimal point relative to the start of `digits`.
  const point = (dot === -1 ? mantissa.length : dot) + exponent;
  let out: string;
  if (point <= 0) out = "0." + "0".repeat(-point) + digits;
  else if (point >= digits.length) out = digits + "0".repeat(point - digits.length);
  else out = digits.slice(0, point) + "." + digits.slice(point);
  return negative ? "-" + out : out;
}
