import { afterEach, describe, expect, test } from "bun:test";
import type { RemoteWriteConfig } from "../../src/config/types.ts";
import { RemoteWriteClient } from "../../src/remote-write/client.ts";
import { WriteRequestEncoder } from "../../src/remote-write/encode.ts";
import { WriteV2Encoder } from "../../src/remote-write/encode-v2.ts";
import { snappyCompress, snappyFirstByte } from "../../src/remote-write/snappy.ts";
import { Registry } from "../../src/registry/registry.ts";

function cfg(url: string): RemoteWriteConfig {
  return {
    url,
    name: "t",
    remote_timeout_ms: 5000,
    headers: {},
    send_exemplars: true,
    protobuf_message: "io.prometheus.write.v2.Request",
    queue: { capacity: 10, max_shards: 1, max_samples_per_send: 100, min_backoff_ms: 1, max_backoff_ms: 2, retry_on_http_429: false, sample_age_limit_ms: 0 },
  };
}

let stop: (() => void) | undefined;
afterEach(() => stop?.());

/** A receiver answering `status` with `headers`; records the request headers. */
function receiver(status: number, headers: Record<string, string> = {}) {
  const got: Headers[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(req) {
      got.push(req.headers);
      return new Response(status === 204 ? null : "nope", { status, headers });
    },
  });
  stop = () => server.stop(true);
  return { got, client: new RemoteWriteClient(cfg(`http://127.0.0.1:${server.port}/api/v1/write`), {}, "redgen/test") };
}

/** One round of a tiny registry, encoded by `enc` and snappy-compressed. */
function body(v2: boolean): Uint8Array {
  const r = new Registry({ externalLabels: {}, maxLabelNameLength: 99, maxLabelValueLength: 99, staleDurationMs: 1e6, maxActiveSeries: () => 0, traceIdLabelName: "traceID" });
  const ls = r.fixedSchema(["a"]).resolve(["x"]);
  if (ls === null) throw new Error("labels");
  r.counter("c_total").add(ls, 1, 1000);
  const enc = v2 ? new WriteV2Encoder(100, true) : new WriteRequestEncoder(100, true);
  r.collect(2000, enc, "remote");
  return snappyCompress(enc.finish()[0].body);
}

describe("remote write 2.0 requests on the wire", () => {
  test("a body tells its protocol (the queue may hold rounds of both after a protobuf_message change)", () => {
    expect(snappyFirstByte(body(true))).toBe(0x22);
    expect(snappyFirstByte(body(false))).toBe(0x0a);
  });

  test("2.0 bodies go with 2.0's content type and version header, 1.0 bodies with 1.0's", async () => {
    const { got, client } = receiver(204, { "X-Prometheus-Remote-Write-Samples-Written": "2" });
    expect(await client.send(body(true), 0, 2)).toEqual({ kind: "ok", unwritten: 0 });
    expect(got[0].get("content-type")).toBe("application/x-protobuf;proto=io.prometheus.write.v2.Request");
    expect(got[0].get("x-prometheus-remote-write-version")).toBe("2.0.0");
    expect(got[0].get("content-encoding")).toBe("snappy");
    expect(await client.send(body(false), 0, 2)).toEqual({ kind: "ok" });
    expect(got[1].get("content-type")).toBe("application/x-protobuf");
    expect(got[1].get("x-prometheus-remote-write-version")).toBe("0.1.0");
  });

  test("415 from a 1.0-only receiver drops the request with a message that says what to change", async () => {
    const { client } = receiver(415);
    const out = await client.send(body(true), 0, 2);
    expect(out.kind).toBe("drop");
    expect(out.kind === "drop" && out.error).toContain("HTTP 415");
    expect(out.kind === "drop" && out.error).toContain("protobuf_message: prometheus.WriteRequest");
  });

  test("2xx without written-count headers (a 1.0 receiver that ignored the content type, e.g. Prometheus 2.42) counts as failed", async () => {
    const { client } = receiver(204);
    const out = await client.send(body(true), 0, 2);
    expect(out.kind).toBe("drop");
    expect(out.kind === "drop" && out.error).toContain("does not take remote write 2.0");
  });

  test("fewer samples written than sent are reported as unwritten", async () => {
    const { client } = receiver(204, { "X-Prometheus-Remote-Write-Samples-Written": "1", "X-Prometheus-Remote-Write-Histograms-Written": "0" });
    expect(await client.send(body(true), 0, 2)).toEqual({ kind: "ok", unwritten: 1 });
  });
});
