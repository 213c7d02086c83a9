import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { ChildProcess } from "./child-process.ts";
import { poll } from "./poll.ts";
import { portOf } from "./ports.ts";
import { REDGEN_BINARY, ensureBinary } from "./setup.ts";

/** The buckets the end-to-end configs use (those of the seed configuration). */
export const TEST_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface TestConfigOptions {
  /** remote_write url; none when absent */
  remoteWriteUrl?: string;
  /** registry.collection_interval, default "1s" */
  collectionInterval?: string;
  /** registry.inject_tenant_id_as */
  injectTenantIdAs?: string;
  /** span_metrics.dimensions, default [http.method] */
  dimensions?: string[];
  /** also receive OTLP/gRPC on 127.0.0.1:0, with these extra keys of the grpc block (e.g. tls, max_recv_msg_size_mib) */
  grpc?: Record<string, unknown>;
  /** extra keys of the OTLP/HTTP receiver block (e.g. tls) */
  http?: Record<string, unknown>;
}

/**
 * A small redgen config in Tempo's shape for one test: loopback only, port 0
 * for the API and OTLP/HTTP (the kernel picks, redgen logs what it got),
 * span-metrics only. `storage.path` is filled in by `Redgen.start`.
 */
export function testConfig(o: TestConfigOptions = {}): Record<string, unknown> {
  const registry: Record<string, unknown> = { collection_interval: o.collectionInterval ?? "1s" };
  if (o.injectTenantIdAs !== undefined) registry.inject_tenant_id_as = o.injectTenantIdAs;
  return {
    server: { http_listen_address: "127.0.0.1", http_listen_port: 0 },
    distributor: {
      receivers: {
        otlp: {
          protocols: {
            http: { endpoint: "127.0.0.1:0", ...o.http },
            ...(o.grpc === undefined ? {} : { grpc: { endpoint: "127.0.0.1:0", ...o.grpc } }),
          },
        },
      },
    },
    metrics_generator: {
      registry,
      storage: {
        path: "",
        remote_write: o.remoteWriteUrl === undefined ? [] : [{ url: o.remoteWriteUrl, send_exemplars: true }],
      },
      processor: {
        span_metrics: { histogram_buckets: TEST_BUCKETS, dimensions: o.dimensions ?? ["http.method"] },
      },
    },
    overrides: { defaults: { metrics_generator: { processors: ["span-metrics"] } } },
  };
}

/** Options of `Redgen.start`. */
export interface RedgenStart {
  /**
   * a config object (see `testConfig`) whose storage.path is set to a temp
   * dir, raw YAML text used as is, or a function of the temp dir giving YAML
   */
  config: Record<string, unknown> | string | ((dir: string) => string);
  /** extra command-line flags */
  args?: string[];
  /**
   * how the helper reaches the API (server.http_tls_config / server.auth):
   * the CA to trust (then https://localhost), a client certificate, headers
   */
  api?: ApiAccess;
  /** another build of redgen to run (default: dist/redgen, rebuilt when stale) */
  binary?: string;
  /** wait for GET /ready to answer 200 (default); false: only for the API to answer at all */
  waitReady?: boolean;
  /** a command the binary runs under, e.g. ["prlimit", "--nofile=1024:1024"] */
  wrapper?: string[];
  /** extra environment variables */
  env?: Record<string, string>;
  /**
   * storage.path for a config object: a directory that outlives this
   * instance (restart tests start the next one on it); default a fresh one
   * inside the instance's temp dir
   */
  stateDir?: string;
  /**
   * the command to run instead of dist/redgen, e.g. a release binary, or
   * [qemu-aarch64-static, -L, sysroot, binary]; the config flag is appended
   */
  command?: string[];
  /** how long to wait for "redgen started" and /ready (default 10 s; an emulated CPU needs more) */
  startTimeoutMs?: number;
}

/** TLS material and headers the helper's own API requests use. */
export interface ApiAccess {
  ca?: string;
  cert?: string;
  key?: string;
  headers?: Record<string, string>;
}

/**
 * The compiled binary, running: writes the config into a temp dir, spawns
 * `dist/redgen -config.file=…`, reads the ports from its "redgen started" log
 * line and waits for GET /ready. Stop with `stop()` (SIGTERM, await exit) or
 * by disposing; both remove the temp dir.
 */
export class Redgen implements AsyncDisposable {
  private constructor(
    readonly process: ChildProcess,
    readonly dir: string,
    /** http://127.0.0.1:PORT of server.http_listen_port */
    readonly apiUrl: string,
    /** http://127.0.0.1:PORT of the OTLP/HTTP receiver */
    readonly otlpHttpUrl: string,
    /** port of the OTLP/gRPC receiver; undefined when it is off */
    readonly otlpGrpcPort: number | undefined,
    /** how the helper's API requests authenticate */
    readonly apiAccess: ApiAccess = {},
  ) {}

  /** fetch() of an API path with the helper's credentials (and `init` merged in). */
  apiFetch(path: string, init: RequestInit = {}): Promise<Response> {
    const a = this.apiAccess;
    const tls = a.ca === undefined ? undefined : { ca: a.ca, cert: a.cert, key: a.key };
    return fetch(`${this.apiUrl}${path}`, { ...init, headers: { ...a.headers, ...(init.headers as Record<string, string>) }, tls } as RequestInit);
  }

  /** http://127.0.0.1:PORT of the OTLP/gRPC receiver (throws when it is off) */
  get otlpGrpcUrl(): string {
    return `http://${this.otlpGrpcEndpoint}`;
  }

  /** 127.0.0.1:PORT of the OTLP/gRPC receiver, as Go and Python exporters want it (throws when it is off) */
  get otlpGrpcEndpoint(): string {
    if (this.otlpGrpcPort === undefined) throw new Error("redgen runs without the OTLP/gRPC receiver (testConfig({ grpc: {} }))");
    return `127.0.0.1:${this.otlpGrpcPort}`;
  }

  /** the process id, e.g. to read /proc/<pid>/fd */
  get pid(): number {
    return this.process.pid;
  }

  static async start(options: RedgenStart): Promise<Redgen> {
    if (options.command === undefined && options.binary === undefined) ensureBinary();
    const timeoutMs = options.startTimeoutMs ?? 10_000;
    const dir = mkdtempSync(join(tmpdir(), "redgen-e2e-"));
    const configFile = join(dir, "redgen.yaml");
    if (typeof options.config === "string") {
      writeFileSync(configFile, options.config);
    } else if (typeof options.config === "function") {
      writeFileSync(configFile, options.config(dir));
    } else {
      const config = structuredClone(options.config) as { metrics_generator: { storage: { path: string } } };
      config.metrics_generator.storage.path = options.stateDir ?? join(dir, "wal");
      writeFileSync(configFile, stringify(config));
    }
    const command = options.command ?? [...(options.wrapper ?? []), options.binary ?? REDGEN_BINARY];
    const child = new ChildProcess("redgen", [...command, `-config.file=${configFile}`, ...(options.args ?? [])], {
      cwd: dir,
      env: options.env === undefined ? undefined : { ...process.env, ...options.env },
    });
    try {
      const [started] = await child.waitForStderr(/^.*msg="redgen started".*$/m, timeoutMs);
      const field = (name: string) => {
        const m = new RegExp(` ${name}=(\\S+)`).exec(started);
        if (m === null) throw new Error(`no ${name}= in the "redgen started" line: ${started}`);
        return portOf(m[1]);
      };
      const api = options.api?.ca === undefined ? `http://127.0.0.1:${field("api")}` : `https://localhost:${field("api")}`;
      const otlp = `http://127.0.0.1:${field("otlp_http")}`;
      const grpcPort = / otlp_grpc=off\b/.test(started) ? undefined : field("otlp_grpc");
      const a = options.api ?? {};
      const tls = a.ca === undefined ? undefined : { ca: a.ca, cert: a.cert, key: a.key };
      const wanted = options.waitReady === false ? [200, 503] : [200];
      await poll("redgen GET /ready", async () => (wanted.includes((await fetch(`${api}/ready`, { tls } as RequestInit)).status) ? true : undefined), {
        timeoutMs,
        intervalMs: 20,
      });
      return new Redgen(child, dir, api, otlp, grpcPort, a);
    } catch (e) {
      await child.stop("SIGKILL").catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }

  /** GET /metrics/generated, for `tenant` (as ?tenant=) or the single tenant. */
  async generated(tenant?: string, via: "query" | "header" = "query"): Promise<string> {
    const path = tenant !== undefined && via === "query" ? `/metrics/generated?tenant=${encodeURIComponent(tenant)}` : "/metrics/generated";
    const headers: Record<string, string> = tenant !== undefined && via === "header" ? { "X-Scope-OrgID": tenant } : {};
    const res = await this.apiFetch(path, { headers });
    if (res.status !== 200) throw new Error(`GET /metrics/generated: ${res.status} ${await res.text()}`);
    return res.text();
  }

  /** GET /metrics (redgen's own metrics). */
  async selfMetrics(): Promise<string> {
    const res = await this.apiFetch("/metrics");
    if (res.status !== 200) throw new Error(`GET /metrics: ${res.status}`);
    return res.text();
  }

  /** Sends SIGTERM (or `signal`), waits for the exit and removes the temp dir; returns the exit code. */
  async stop(signal: NodeJS.Signals = "SIGTERM", timeoutMs = 20_000): Promise<number> {
    try {
      return await this.process.stop(signal, timeoutMs);
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.process[Symbol.asyncDispose]();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
