import { fromBinary } from "@bufbuild/protobuf";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decompress_raw, initSync } from "snappy-wasm";
import { WriteRequestSchema } from "../../src/gen/prometheus/remote_pb.ts";
import { REPO_ROOT } from "./setup.ts";

initSync(readFileSync(join(REPO_ROOT, "node_modules/snappy-wasm/es/snappy_bg.wasm")));

/** One remote-write request as the proxy saw it. */
export interface RecordedWrite {
  /** request headers, names lower-cased */
  headers: Record<string, string>;
  /** label sets of the request's time series (with __name__) */
  series: Record<string, string>[];
  /** the status the upstream answered; 0 while the request is in flight */
  status: number;
}

/**
 * A recording HTTP proxy between redgen and Prometheus (Bun.serve on port 0):
 * records each request's headers and decoded series, then forwards the body
 * unchanged to the real remote-write receiver and relays its answer. Setting
 * `down` simulates an outage of the receiver (503 for everything).
 */
export class RemoteWriteProxy implements Disposable {
  readonly requests: RecordedWrite[] = [];
  /** while true the upstream is "down": every request is answered 503 without being forwarded */
  down = false;
  /** requests refused while down */
  refused = 0;
  private readonly server: ReturnType<typeof Bun.serve>;

  constructor(upstream: string) {
    this.server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: async (req) => {
        const body = new Uint8Array(await req.arrayBuffer());
        if (this.down) {
          this.refused++;
          return new Response("upstream down (test outage)", { status: 503 });
        }
        const headers: Record<string, string> = {};
        req.headers.forEach((v, k) => {
          headers[k.toLowerCase()] = v;
        });
        const forward = new Headers();
        for (const k of ["content-type", "content-encoding", "x-prometheus-remote-write-version", "user-agent", "x-scope-orgid"]) {
          if (headers[k] !== undefined) forward.set(k, headers[k]);
        }
        // Recorded before forwarding, so whatever Prometheus shows has been recorded here.
        const recorded: RecordedWrite = { headers, series: decodeSeries(body), status: 0 };
        this.requests.push(recorded);
        const res = await fetch(upstream, { method: "POST", headers: forward, body });
        const answer = await res.arrayBuffer();
        recorded.status = res.status;
        return new Response(answer, { status: res.status, headers: { "Content-Type": res.headers.get("content-type") ?? "text/plain" } });
      },
    });
  }

  /** The url to give redgen as remote_write url. */
  get url(): string {
    return `http://127.0.0.1:${this.server.port}/api/v1/write`;
  }

  stop(): void {
    this.server.stop(true);
  }

  [Symbol.dispose](): void {
    this.stop();
  }
}

function decodeSeries(body: Uint8Array): Record<string, string>[] {
  try {
    const req = fromBinary(WriteRequestSchema, decompress_raw(body));
    return req.timeseries.map((ts) => Object.fromEntries(ts.labels.map((l) => [l.name, l.value])));
  } catch (e) {
    return [{ __decode_error__: String(e) }];
  }
}
