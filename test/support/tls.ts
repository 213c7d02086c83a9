import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A self-signed certificate for 127.0.0.1 and localhost, as files and as PEM text. */
export interface SelfSignedCert extends Disposable {
  certFile: string;
  keyFile: string;
  /** the certificate PEM: the only CA a client needs to trust */
  cert: string;
}

/**
 * Generates a throwaway self-signed certificate (P-256, one day) with openssl
 * into a temp dir; disposing removes the dir. The certificate is its own CA
 * (basicConstraints CA:TRUE from openssl's v3_ca section), so clients pass it
 * as `ca`.
 */
export function selfSignedCert(): SelfSignedCert {
  const dir = mkdtempSync(join(tmpdir(), "redgen-tls-"));
  const certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  const cmd = [
    "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", keyFile, "-out", certFile, "-days", "1", "-subj", "/CN=localhost",
    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
  ];
  const r = Bun.spawnSync(cmd, { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`openssl failed (${r.exitCode}): ${r.stderr.toString()}`);
  }
  return {
    certFile,
    keyFile,
    cert: readFileSync(certFile, "utf8"),
    [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }),
  };
}
