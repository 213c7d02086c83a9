/**
 * The seed configuration (test/fixtures/e2e/seed.yaml, verbatim from the
 * project brief) runs unchanged except storage.path and the remote-write url,
 * and spans reach Prometheus. It binds fixed ports on all interfaces (3100,
 * 4317, 4318), so the whole run happens in a private network namespace
 * (and PID namespace, so no process outlives it): see seed-netns.sh.
 */
import { expect, test } from "bun:test";
import { hostname } from "node:os";
import { join } from "node:path";
import { ChildProcess } from "../support/child-process.ts";
import type { Sample } from "../support/prometheus.ts";
import { REPO_ROOT, ensureBinary } from "../support/setup.ts";

const SCRIPT = join(REPO_ROOT, "test/fixtures/e2e/seed-netns.sh");

interface SeedRun {
  changed: { seed: string; written: string }[];
  apiUrl: string;
  otlpHttpUrl: string;
  arrivedAfterMs: number;
  calls: Sample[];
  latencyCount: Sample[];
  targetInfo: Sample[];
  ready: number;
  exitCode: number;
}

test("the seed configuration delivers span metrics to Prometheus", async () => {
  ensureBinary();
  // As root a network namespace needs nothing else; otherwise map root in a user namespace.
  const userns = process.getuid?.() === 0 ? [] : ["--map-root-user"];
  await using run = new ChildProcess(
    "seed-netns",
    ["unshare", ...userns, "--net", "--pid", "--fork", "--kill-child", "--", "bash", SCRIPT],
    { env: { ...process.env, BUN: process.execPath } },
  );
  const code = await run.exited(90_000);
  expect({ code, stderr: code === 0 ? "" : run.stderr }).toEqual({ code: 0, stderr: "" });
  const r = JSON.parse(run.stdout) as SeedRun;

  // Only the two allowed values differ from the seed.
  expect(r.changed.map((c) => c.seed.trim())).toEqual([
    "path: /var/tempo/generator/wal",
    "- url: http://prometheus.observability.svc.cluster.local:9090/api/v1/write",
  ]);
  // The seed's ports.
  expect([new URL(r.apiUrl).port, new URL(r.otlpHttpUrl).port]).toEqual(["3100", "4318"]);
  expect(r.ready).toBe(200);

  // No collection_interval in the seed: the first round is the default 15 s after the first span.
  expect(r.arrivedAfterMs).toBeGreaterThanOrEqual(14_500);

  // Span metrics with the seed's dimensions (sanitised names), and job from enable_target_info.
  const common = {
    __name__: "traces_spanmetrics_calls_total",
    __metrics_gen_instance: hostname(),
    service: "checkout",
    job: "shop/checkout",
    k8s_namespace_name: "shop-prod",
    k8s_deployment_name: "checkout",
    k8s_pod_name: "checkout-7d9f-abc12",
  };
  const sortByName = (a: Sample, b: Sample) => (a.metric.span_name < b.metric.span_name ? -1 : 1);
  expect(r.calls.sort(sortByName)).toEqual([
    {
      metric: {
        ...common,
        span_name: "GET /cart",
        span_kind: "SPAN_KIND_SERVER",
        status_code: "STATUS_CODE_ERROR",
        http_method: "GET",
        http_status_code: "500",
      },
      value: 2,
    },
    {
      metric: {
        ...common,
        span_name: "POST /cart/checkout",
        span_kind: "SPAN_KIND_SERVER",
        status_code: "STATUS_CODE_UNSET",
        http_method: "POST",
        http_status_code: "200",
      },
      value: 3,
    },
    {
      metric: {
        ...common,
        span_name: "payments.Charge",
        span_kind: "SPAN_KIND_CLIENT",
        status_code: "STATUS_CODE_UNSET",
        rpc_grpc_status_code: "0",
      },
      value: 1,
    },
  ]);
  expect(Object.fromEntries(r.latencyCount.map((s) => [s.metric.span_name, s.value]))).toEqual({
    "GET /cart": 2,
    "POST /cart/checkout": 3,
    "payments.Charge": 1,
  });

  // enable_target_info: one info series for the resource: its attributes except service.*, plus job.
  expect(r.targetInfo).toEqual([
    {
      metric: {
        __name__: "traces_target_info",
        __metrics_gen_instance: hostname(),
        job: "shop/checkout",
        k8s_namespace_name: "shop-prod",
        k8s_deployment_name: "checkout",
        k8s_pod_name: "checkout-7d9f-abc12",
      },
      value: 1,
    },
  ]);

  expect(r.exitCode).toBe(0);
}, 90_000); // the seed has no collection_interval: its first round comes after the default 15 s
