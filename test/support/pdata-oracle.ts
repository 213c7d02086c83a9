/**
 * Runs the pdata span-size oracle (test/support/pdata-size, built by setup)
 * over many OTLP requests in one process: for each request, the span sizes
 * Tempo's generator measures, and the spans as Tempo's distributor writes them
 * to Kafka, or pdata's error.
 */
import { ensurePdataSize } from "./setup.ts";

export interface OracleAnswer {
  spans?: number[];
  /** each span gogo-encoded (what a Kafka record holds) */
  records?: Uint8Array[];
  error?: string;
}

export function pdataSizes(requests: readonly Uint8Array[]): OracleAnswer[] {
  const binary = ensurePdataSize();
  const parts: Uint8Array[] = [];
  for (const r of requests) {
    const head = new Uint8Array(4);
    new DataView(head.buffer).setUint32(0, r.length);
    parts.push(head, r);
  }
  const p = Bun.spawnSync([binary], { stdin: Buffer.concat(parts), stdout: "pipe", stderr: "pipe" });
  if (p.exitCode !== 0) throw new Error(`pdatasize exited with ${p.exitCode}: ${p.stderr.toString()}`);
  const lines = p.stdout.toString().trim().split("\n");
  if (lines.length !== requests.length) throw new Error(`pdatasize answered ${lines.length} of ${requests.length} requests`);
  return lines.map((l) => {
    const a = JSON.parse(l) as { spans?: number[]; records?: string[]; error?: string };
    return { spans: a.spans, error: a.error, records: a.records?.map((b) => new Uint8Array(Buffer.from(b, "base64"))) };
  });
}
