import type { AuthStats } from "../auth/auth-stats.ts";
import type { SelfMetrics } from "./self-metrics.ts";

/** What the access self-metrics read. */
export interface AccessSources {
  /** one per port that requires credentials or client certificates */
  authStats: AuthStats[];
  grpcConnections: () => { open: number; limit: number } | undefined;
}

/**
 * Who was turned away and how full the gRPC port is:
 * `redgen_auth_failures_total{port,reason}` (reason: missing, invalid,
 * tenant_mismatch, client_certificate), `redgen_otlp_grpc_connections` and
 * its `_limit`.
 */
export function registerAccessCollectors(m: SelfMetrics, src: AccessSources): void {
  m.register(() => {
    const conns = src.grpcConnections();
    return [
      {
        name: "redgen_auth_failures_total",
        help: "Requests refused for missing or invalid credentials, credentials of another tenant, or a bad client certificate.",
        type: "counter",
        samples: src.authStats.flatMap((s) => [...s.failures].map(([reason, n]) => ({ labels: { port: s.port, reason }, value: n }))),
      },
      ...(conns === undefined
        ? []
        : [
            { name: "redgen_otlp_grpc_connections", help: "Open OTLP/gRPC connections.", type: "gauge" as const, samples: [{ labels: {}, value: conns.open }] },
            { name: "redgen_otlp_grpc_connections_limit", help: "Open OTLP/gRPC connections allowed (max_connections).", type: "gauge" as const, samples: [{ labels: {}, value: conns.limit }] },
          ]),
    ];
  });
}
