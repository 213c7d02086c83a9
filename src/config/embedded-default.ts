/**
 * The configuration redgen runs with when no -config.file is given: every
 * processor on, no remote write, Tempo defaults otherwise. Unlike Tempo's
 * localhost defaults, the listeners bind to all interfaces, because the
 * intended use is a VM that receives spans from other hosts.
 */
export const EMBEDDED_DEFAULT_YAML = `
server:
  http_listen_address: 0.0.0.0
  http_listen_port: 3200
distributor:
  receivers:
    otlp:
      protocols:
        grpc:
          endpoint: 0.0.0.0:4317
        http:
          endpoint: 0.0.0.0:4318
overrides:
  defaults:
    metrics_generator:
      processors: [span-metrics, service-graphs, host-info]
`;
