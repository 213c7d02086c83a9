import { join } from "node:path";

/**
 * Where state lives when metrics_generator.storage.path is not set (Tempo
 * requires it; redgen starts anyway): the directory systemd gives the
 * service (`StateDirectory=redgen` sets $STATE_DIRECTORY), else `data/`
 * under the working directory, as Prometheus does.
 */
export function defaultStoragePath(env: Record<string, string | undefined> = process.env): string {
  const systemd = env.STATE_DIRECTORY?.split(":")[0];
  return systemd !== undefined && systemd !== "" ? systemd : join(process.cwd(), "data");
}
