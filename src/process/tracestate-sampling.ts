/**
 * The sampling adjusted count of a span from its W3C tracestate `ot=` entry
 * (OTEP 235), exactly as Tempo derives it (spec §4.6): the entry is found the
 * way Tempo's extractor finds it (the first `ot=` member, whitespace trimmed as
 * Go's strings.TrimSpace does), parsed with the OpenTelemetry Collector's
 * grammar (any malformed th or rv fails the whole entry), and the count and its
 * stochastic rounding are computed with the same float64 operations on the
 * exact 56-bit integers. 0 means "no usable tracestate": the caller falls back.
 */

const TWO_28 = 2 ** 28;
const TWO_53 = 2 ** 53;
const TWO_56 = 2 ** 56;
const MAX_OT_LENGTH = 256;

export function tracestateMultiplier(tracestate: string): number {
  if (tracestate === "" || tracestate.indexOf("ot=") === -1) return 0;
  const ot = openTelemetryMember(tracestate);
  if (ot === "") return 0;
  const parsed = parseOtValue(ot);
  if (parsed === null || parsed.th === "") return 0;
  const m = adjustedCount(parsed.th);
  if (m <= 0 || parsed.rv === "") return m;
  const whole = Math.floor(m);
  const frac = m - whole;
  if (frac === 0) return whole;
  // rv's top 53 of 56 bits as a uniform value in [0, 1), as Tempo takes it.
  const rv = parsed.rv;
  const r = (Number.parseInt(rv.slice(0, 7), 16) * 2 ** 25 + (Number.parseInt(rv.slice(7), 16) >>> 3)) / TWO_53;
  return r < frac ? whole + 1 : whole;
}

/** 1 / ((2^56 − T) / 2^56), with 2^56 − T rounded once to a double, as Go's float64(uint64) does. */
function adjustedCount(th: string): number {
  const hex = th.padEnd(14, "0");
  const high = Number.parseInt(hex.slice(0, 7), 16);
  const low = Number.parseInt(hex.slice(7), 16);
  const rejected = (TWO_28 - high) * TWO_28 - low; // exact integer, one rounding
  return 1 / (rejected / TWO_56);
}

/** Tempo's extractor: the value of the first member starting with `ot=`, up to the next comma. */
function openTelemetryMember(tracestate: string): string {
  let rest = tracestate;
  for (;;) {
    rest = goTrimSpace(rest);
    const comma = rest.indexOf(",");
    if (rest.startsWith("ot=")) return rest.slice(3, comma > 0 ? comma : rest.length);
    if (comma === -1) return "";
    rest = goTrimSpace(rest.slice(comma + 1));
  }
}

const HEX_TH = /^[0-9a-fA-F]{1,14}$/;
const HEX_RV = /^[0-9a-fA-F]{14}$/;

/**
 * The Collector's OpenTelemetryTraceState grammar: `key:value` members split
 * by `;` (no empty member, no trailing `;`), keys `[a-z][a-z0-9]*`, values
 * `[a-zA-Z0-9._-]*`. Later th/rv members replace earlier ones; an invalid one
 * fails the whole entry. Returns null when the entry is invalid.
 */
function parseOtValue(ot: string): { th: string; rv: string } | null {
  if (ot.length > MAX_OT_LENGTH || ot.endsWith(";")) return null;
  let th = "";
  let rv = "";
  for (const member of ot.split(";")) {
    const colon = member.indexOf(":");
    if (colon < 1) return null;
    const key = member.slice(0, colon);
    const value = member.slice(colon + 1);
    if (!validKey(key) || !validValue(value)) return null;
    if (key === "th") {
      if (!HEX_TH.test(value)) return null;
      th = value;
    } else if (key === "rv") {
      if (!HEX_RV.test(value)) return null;
      rv = value;
    }
  }
  return { th, rv };
}

function validKey(key: string): boolean {
  const c0 = key.charCodeAt(0);
  if (!(c0 >= 97 && c0 <= 122)) return false;
  for (let i = 1; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57))) return false;
  }
  return true;
}

function validValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 95 || c === 45;
    if (!ok) return false;
  }
  return true;
}

/** Go's unicode.IsSpace set (JS trim() differs: it trims U+FEFF and keeps U+0085). */
function isGoSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  return (
    c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000
  );
}

function goTrimSpace(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isGoSpace(s.charCodeAt(a))) a++;
  while (b > a && isGoSpace(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}
