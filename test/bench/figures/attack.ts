/**
 * attack.chunked, attack.idle: what a hostile client costs the compiled binary.
 * - attack.chunked: 48 parallel chunked (no Content-Length) uploads of 15 MiB
 *   each to OTLP/HTTP (16 MiB limit): redgen's peak RSS, and how many were
 *   taken (200) or turned away (429) — the in-flight budget is 4 × the limit.
 * - attack.idle: the binary under a hard limit of 1,024 descriptors
 *   (prlimit), 1,000 TCP connections to the gRPC port that never send a byte:
 *   peak descriptors and RSS, and whether the API still answers meanwhile.
 * `--binary PATH` runs either against another build (e.g. one from before
 * these defences, for the comparison in the README).
 */
import { type Socket, connect } from "node:net";
import { Redgen, testConfig } from "../../support/redgen-process.ts";
import { ensureBinary } from "../../support/setup.ts";
import { procRssBytes } from "./proc-stat.ts";
import { openFds } from "../../support/proc.ts";
import { type Report, log } from "./report.ts";
import { type BenchSettings, wants, wantsSection } from "./settings.ts";

const MIB = 1024 * 1024;

/** A chunked body: an unknown field (tag 99, LEN) of `size` bytes sent in 64 KiB chunks, then one valid empty request field. */
function slowBody(size: number): ReadableStream<Uint8Array> {
  const prefix = [0x9a, 0x06];
  for (let n = size; ; n = Math.floor(n / 128)) {
    prefix.push(n >= 0x80 ? (n & 0x7f) | 0x80 : n);
    if (n < 0x80) break;
  }
  let sent = -1;
  const chunk = new Uint8Array(64 * 1024);
  return new ReadableStream({
    pull(ctrl) {
      if (sent < 0) {
        ctrl.enqueue(Uint8Array.from(prefix));
        sent = 0;
      } else if (sent < size) {
        const n = Math.min(chunk.length, size - sent);
        ctrl.enqueue(chunk.subarray(0, n));
        sent += n;
      } else ctrl.close();
    },
  });
}

function sampler(pid: number, fds = false) {
  const peak = { rss: procRssBytes(pid), fds: fds ? openFds(pid).fds : 0 };
  const base = { ...peak };
  const t = setInterval(() => {
    try {
      peak.rss = Math.max(peak.rss, procRssBytes(pid));
      if (fds) peak.fds = Math.max(peak.fds, openFds(pid).fds);
    } catch {
      // the process is gone
    }
  }, 10);
  return { base, peak, stop: () => clearInterval(t) };
}

export async function attacks(settings: BenchSettings, report: Report, binary: string | undefined): Promise<void> {
  if (!wantsSection(settings, "attack")) return;
  if (binary === undefined) ensureBinary();
  if (wants(settings, "attack.chunked")) await chunked(settings, report, binary);
  if (wants(settings, "attack.idle")) await idle(settings, report, binary);
}

async function start(binary: string | undefined, config: Record<string, unknown>, limit?: number): Promise<Redgen> {
  const prefix = limit === undefined ? [] : ["prlimit", `--nofile=${limit}:${limit}`];
  return Redgen.start({ config, wrapper: prefix, binary });
}

async function chunked(settings: BenchSettings, report: Report, binary: string | undefined): Promise<void> {
  const uploads = settings.quick ? 8 : 48;
  const size = 15 * MIB;
  const redgen = await start(binary, testConfig());
  try {
    log(`attack.chunked: ${uploads} parallel chunked uploads of ${size / MIB} MiB`);
    const s = sampler(redgen.pid);
    const statuses = await Promise.all(
      Array.from({ length: uploads }, () =>
        fetch(`${redgen.otlpHttpUrl}/v1/traces`, { method: "POST", headers: { "Content-Type": "application/x-protobuf" }, body: slowBody(size), duplex: "half" } as RequestInit).then(
          async (r) => (await r.arrayBuffer(), r.status),
          () => 0,
        ),
      ),
    );
    s.stop();
    const count = (code: number) => statuses.filter((x) => x === code).length;
    report.add({ name: "attack.chunked", unit: "rss_before_mb", value: s.base.rss / MIB });
    report.add({ name: "attack.chunked", unit: "rss_peak_mb", value: s.peak.rss / MIB });
    report.add({ name: "attack.chunked", unit: "accepted", value: count(200) });
    report.add({ name: "attack.chunked", unit: "refused_429", value: count(429) });
    report.add({ name: "attack.chunked", unit: "other", value: uploads - count(200) - count(429) });
  } finally {
    await redgen.stop();
  }
}

async function idle(settings: BenchSettings, report: Report, binary: string | undefined): Promise<void> {
  const n = settings.quick ? 200 : 1100;
  const redgen = await start(binary, testConfig({ grpc: {} }), 1024);
  const sockets: Socket[] = [];
  try {
    log(`attack.idle: ${n} idle connections to the gRPC port, limit 1024 descriptors`);
    const s = sampler(redgen.pid, true);
    for (let i = 0; i < n; i++) {
      const { promise, resolve } = Promise.withResolvers<void>();
      const sock = connect(redgen.otlpGrpcPort as number, "127.0.0.1", () => resolve());
      sock.on("error", () => resolve());
      sock.on("close", () => resolve());
      sockets.push(sock);
      await promise;
    }
    const api = await fetch(`${redgen.apiUrl}/ready`, { signal: AbortSignal.timeout(3000), headers: { Connection: "close" } }).then(
      (r) => r.status,
      () => 0,
    );
    s.stop();
    report.add({ name: "attack.idle", unit: "fds_before", value: s.base.fds });
    report.add({ name: "attack.idle", unit: "fds_peak", value: s.peak.fds });
    report.add({ name: "attack.idle", unit: "rss_before_mb", value: s.base.rss / MIB });
    report.add({ name: "attack.idle", unit: "rss_peak_mb", value: s.peak.rss / MIB });
    report.add({ name: "attack.idle", unit: "api_answered", value: api === 200 ? 1 : 0 });
    if (binary === undefined && api !== 200) report.problem(`attack.idle: the API did not answer during the attack (${api})`);
  } finally {
    for (const sock of sockets) sock.destroy();
    await redgen.stop();
  }
}
