/**
 * logfmt lines on stderr (level=… ts=… msg=…), the format Tempo and
 * journald users already grep. `debug` is printed only at log level debug.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
let threshold = ORDER.info;

export function setLogLevel(level: LogLevel): void {
  threshold = ORDER[level];
}

function quote(v: unknown): string {
  const s = v instanceof Error ? v.message : String(v);
  return /^[\w.:/@+-]+$/.test(s) ? s : JSON.stringify(s);
}

function write(level: LogLevel, msg: string, fields: Record<string, unknown>): void {
  if (ORDER[level] < threshold) return;
  let line = `level=${level} ts=${new Date().toISOString()} msg=${quote(msg)}`;
  for (const k in fields) line += ` ${k}=${quote(fields[k])}`;
  process.stderr.write(`${line}\n`);
}

export const log = {
  debug: (msg: string, fields: Record<string, unknown> = {}) => write("debug", msg, fields),
  info: (msg: string, fields: Record<string, unknown> = {}) => write("info", msg, fields),
  warn: (msg: string, fields: Record<string, unknown> = {}) => write("warn", msg, fields),
  error: (msg: string, fields: Record<string, unknown> = {}) => write("error", msg, fields),
};
