import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

/** A CA with a server certificate and a client certificate it signed, plus a client certificate it did not. */
export interface TestPki extends Disposable {
  dir: string;
  /** the CA certificate: what clients trust and what servers verify client certificates against */
  caFile: string;
  ca: string;
  server: { certFile: string; keyFile: string };
  /** signed by the CA */
  client: { certFile: string; keyFile: string; cert: string; key: string };
  /** self-signed: a client the server must refuse */
  rogue: { certFile: string; keyFile: string; cert: string; key: string };
}

/**
 * Generates a throwaway PKI with openssl (P-256, one day) for mutual TLS:
 * CA → server certificate for localhost / 127.0.0.1 (serverAuth) and client
 * certificate (clientAuth); a rogue self-signed client certificate beside it.
 */
export function testPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "redgen-pki-"));
  const p = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => {
    const r = Bun.spawnSync(["openssl", ...args], { stdout: "pipe", stderr: "pipe", cwd: dir });
    if (r.exitCode !== 0) throw new Error(`openssl ${args[0]} failed (${r.exitCode}): ${r.stderr.toString()}`);
  };
  const key = (name: string) => openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", p(name));
  try {
    key("ca.key");
    openssl("req", "-x509", "-new", "-key", p("ca.key"), "-out", p("ca.pem"), "-days", "1", "-subj", "/CN=redgen test CA");
    const leaf = (name: string, subject: string, ext: string) => {
      key(`${name}.key`);
      // PKCS#8, which every client library reads (grpc-js, Python, Go)
      openssl("pkcs8", "-topk8", "-nocrypt", "-in", p(`${name}.key`), "-out", p(`${name}-key.pem`));
      openssl("req", "-new", "-key", p(`${name}-key.pem`), "-out", p(`${name}.csr`), "-subj", subject);
      writeFileSync(p(`${name}.ext`), ext);
      openssl("x509", "-req", "-in", p(`${name}.csr`), "-CA", p("ca.pem"), "-CAkey", p("ca.key"), "-CAcreateserial", "-out", p(`${name}.pem`), "-days", "1", "-extfile", p(`${name}.ext`));
    };
    leaf("server", "/CN=localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
    leaf("client", "/CN=redgen-test-client", "extendedKeyUsage=clientAuth\n");
    key("rogue.key");
    openssl("pkcs8", "-topk8", "-nocrypt", "-in", p("rogue.key"), "-out", p("rogue-key.pem"));
    openssl("req", "-x509", "-new", "-key", p("rogue-key.pem"), "-out", p("rogue.pem"), "-days", "1", "-subj", "/CN=rogue");
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const read = (name: string) => readFileSync(p(name), "utf8");
  return {
    dir,
    caFile: p("ca.pem"),
    ca: read("ca.pem"),
    server: { certFile: p("server.pem"), keyFile: p("server-key.pem") },
    client: { certFile: p("client.pem"), keyFile: p("client-key.pem"), cert: read("client.pem"), key: read("client-key.pem") },
    rogue: { certFile: p("rogue.pem"), keyFile: p("rogue-key.pem"), cert: read("rogue.pem"), key: read("rogue-key.pem") },
    [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }),
  };
}
