/** `redgen --help`, or the help of one subcommand (`redgen systemd-unit --help`). */
export function helpText(version: string, topic?: "check-config" | "systemd-unit"): string {
  if (topic === "systemd-unit") return SYSTEMD_UNIT;
  if (topic === "check-config") return CHECK_CONFIG;
  return `redgen ${version}: Tempo-compatible span metrics, service graphs and host info
from OpenTelemetry traces, in one binary.

Usage:
  redgen [-config.file=PATH] [-config.expand-env] [-log.level=info]
  redgen check-config -config.file=PATH
  redgen systemd-unit [-config.file=PATH] [-config.expand-env] [-log.level=LEVEL]
  redgen --version | --help | <command> --help

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
  GET  :3200/              the live page: service graph, RED table, health
  GET  :3200/metrics       redgen's own metrics
  GET  :3200/metrics/generated[?tenant=ID]  the generated series (text format)
  GET  :3200/ready         200 when ready
  GET  :3200/assets/       Grafana dashboards and Prometheus rules for these metrics
`;
}

const CHECK_CONFIG = `Usage:
  redgen check-config -config.file=PATH [-config.expand-env]

Reads the file as redgen does at start and exits 0 when it is valid, 1 when
it is not: an unknown key or a value of the wrong type is reported with its
key path and line. Warnings (sections redgen ignores, settings it does not
implement) are printed either way.
`;

const SYSTEMD_UNIT = `Usage:
  redgen systemd-unit [-config.file=PATH] [-config.expand-env] [-log.level=LEVEL]

Prints a systemd unit that runs this binary, at its current absolute path, as
a hardened service. Install the binary where it will stay first, e.g.:

  sudo install redgen /usr/local/bin/redgen
  redgen systemd-unit -config.file=/etc/redgen/tempo.yaml | sudo tee /etc/systemd/system/redgen.service
  sudo systemctl daemon-reload && sudo systemctl enable --now redgen

Flags (passed on to the service's command line):
  -config.file PATH        the config the service reads (made absolute)
  -config.expand-env       expand \${VAR} in it; set the variables with
                           Environment= or EnvironmentFile= (systemctl edit redgen)
  -log.level LEVEL         debug, info, warn or error

What the unit does:
  DynamicUser=yes          a transient user: no account to create
  StateDirectory=redgen    /var/lib/redgen, the default storage.path: checkpoints
                           and remote-write queues survive restarts and upgrades
  TimeoutStopSec=90s       room for the final round and the 1m remote-write flush
  sandbox                  read-only system, no home, private /tmp, devices, IPC
                           and users, no capabilities, /proc limited to itself,
                           IP and Unix sockets only, system calls limited to
                           @system-service without @privileged and @resources;
                           systemd-analyze security rates it 1.1 (OK)
  LimitNOFILE=65536        one file descriptor per client connection

Change it with a drop-in (systemctl edit redgen):
  a storage.path outside /var/lib/redgen   ReadWritePaths=PATH, writable by the service
  a listen port below 1024                 AmbientCapabilities=CAP_NET_BIND_SERVICE
                                           CapabilityBoundingSet=CAP_NET_BIND_SERVICE
`;
