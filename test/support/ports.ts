import { createServer } from "node:net";

/**
 * A free TCP port on 127.0.0.1: binds port 0, reads what the kernel picked and
 * releases it. Another process can grab the port in between, so prefer letting
 * the server itself listen on port 0 and reading the port back (redgen logs it,
 * Prometheus logs it); use this only where a port must be written down first.
 */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  const server = createServer();
  const { promise, resolve, reject } = Promise.withResolvers<number>();
  server.once("error", reject);
  server.listen(0, host, () => {
    const addr = server.address();
    if (addr === null || typeof addr === "string") {
      reject(new Error(`unexpected listen address ${String(addr)}`));
      return;
    }
    server.close(() => resolve(addr.port));
  });
  return promise;
}

/** The port of a "host:port" string such as `127.0.0.1:43125` or `[::1]:80`. */
export function portOf(address: string): number {
  const port = Number(address.slice(address.lastIndexOf(":") + 1));
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`no port in address "${address}"`);
  return port;
}
