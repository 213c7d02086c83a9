/** `redgen --help`. */
export function helpText(version: string): string {
  return `redgen ${version}: Tempo-compatible span metrics, service graphs and host info
from OpenTelemetry traces, in one binary.

Usage:
  redgen [-config.file=PATH] [-config.expand-env] [-log.level=info]
  redgen check-config -config.file=PATH
  redgen systemd-unit [-config.file=PATH]
  redgen --version | --help

Without -config.file redgen runs the embedded default: every processor on,
OTLP/gRPC on 0.0.0.0:4317, OTLP/HTTP on 0.0.0.0:4318, metrics for scraping at
http://<host>:3200/metrics/generated, no remote write.

Flags (one or two dashes; "=VALUE" or " VALUE"):
  -config.file PATH        Tempo-style YAML (server, distributor.receivers,
                           metrics_generator, overrides sections are used)
  -config.expand-env       expand \${VAR} and \${VAR:-default} in the config file
  -log.level LEVEL         debug, info, warn or error (default info)

Commands:
  check-config             validate the config file, print warnings, exit 0/1
  systemd-unit             print a systemd unit that runs this binary as a service

Endpoints:
  POST :4318/v1/traces     OTLP/HTTP (protobuf or JSON, gzip/deflate/zstd)
  :4317                    OTLP/gRPC TraceService/Export
  GET  :3200/metrics       redgen's own metrics
  GET  :3200/metrics/generated[?tenant=ID]  the generated series (text format)
  GET  :3200/ready         200 when ready
`;
}
