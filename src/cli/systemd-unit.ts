/**
 * A unit file that runs this binary as a hardened service. The stop timeout
 * leaves room for the remote-write flush deadline (1m by default).
 */
export function systemdUnit(binary: string, configFile: string | undefined): string {
  const config = configFile === undefined ? "" : ` -config.file=${configFile}`;
  return `[Unit]
Description=redgen: span metrics and service graphs from OpenTelemetry traces
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStart=${binary}${config}
Restart=on-failure
RestartSec=2s
KillSignal=SIGTERM
TimeoutStopSec=90s
DynamicUser=yes
# Checkpoints and remote-write queues live here ($STATE_DIRECTORY, the default
# storage.path); a storage.path elsewhere needs ReadWritePaths= for it.
StateDirectory=redgen
StateDirectoryMode=0700
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectControlGroups=yes
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
LimitNOFILE=65536

[Install]
WantedBy=multi-user.target
`;
}
