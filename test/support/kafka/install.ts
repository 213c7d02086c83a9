/**
 * Installs what the Kafka tests need on the machine, without loading any
 * Kafka client (test/support/setup.ts imports this before `bun test`):
 * - `ensureKafkaJars()`: the broker's jars, fetched from Maven Central with
 *   Maven into `.cache/kafka/<version>/libs` (git-ignored) when missing. An
 *   empty ~/.m2 is fine: Maven fills it (about 65 MB there, 43 MB of jars).
 * - `ensureKcat()`: Debian's kcat, the independent producer.
 * Java 17 and Maven come from Debian when they are not on PATH.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

/**
 * 4.2.0: the newest Kafka that @platformatic/kafka 2.12 lists as tested
 * ("3.5.0 to 4.2.0"); it resolves from Maven Central with all dependencies.
 */
export const KAFKA_VERSION = process.env.REDGEN_TEST_KAFKA_VERSION ?? "4.2.0";

/**
 * Kafka 4.2 brings slf4j-api 1.7.36 and no binding; slf4j-simple of the same
 * version logs to stderr (our log file), so broker errors are visible.
 */
const SLF4J_SIMPLE_VERSION = "1.7.36";
const DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1";

const REPO_ROOT = resolve(import.meta.dir, "../../..");

/** `.cache/kafka/<version>/libs`: every jar the broker needs. */
export function kafkaLibsDir(version = KAFKA_VERSION): string {
  return join(REPO_ROOT, ".cache", "kafka", version, "libs");
}

function pomXml(version: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by test/support/kafka/install.ts: the jars of a Kafka ${version} broker. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.redgen.test</groupId>
  <artifactId>kafka-broker-libs</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>${version}</version>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-simple</artifactId>
      <version>${SLF4J_SIMPLE_VERSION}</version>
    </dependency>
  </dependencies>
</project>
`;
}

/** Whether `command` is installed (sbin dirs included, as CI's PATH may lack them). */
function onPath(command: string): boolean {
  return Bun.which(command, { PATH: `${process.env.PATH ?? ""}:/usr/local/sbin:/usr/sbin:/sbin` }) !== null;
}

function run(cmd: string[], env: Record<string, string | undefined> = process.env): void {
  console.error(`setup: $ ${cmd.join(" ")}`);
  const r = Bun.spawnSync(cmd, { stdout: 2, stderr: "inherit", env });
  if (r.exitCode !== 0) throw new Error(`setup: "${cmd.join(" ")}" exited with ${r.exitCode}`);
}

let aptUpdated = false;
function aptInstall(packages: string[]): void {
  if (!onPath("apt-get")) throw new Error(`setup: ${packages.join(", ")} missing and there is no apt-get to install it`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const sudo = process.getuid?.() === 0 ? [] : ["sudo"];
  if (!aptUpdated) {
    run([...sudo, "apt-get", "update"], env);
    aptUpdated = true;
  }
  run([...sudo, "apt-get", "install", "-y", "--no-install-recommends", ...packages], env);
}

/** Java 17+ and Maven, from Debian when missing (the machine image normally has both). */
function ensureJavaAndMaven(): void {
  const missing: string[] = [];
  if (!onPath("java")) missing.push("openjdk-17-jre-headless");
  if (!onPath("mvn")) missing.push("maven");
  if (missing.length > 0) aptInstall(missing);
}

/**
 * Makes sure `.cache/kafka/<version>/libs` holds the broker's jars; downloads
 * them with Maven when it does not (about 45 jars, 43 MB; ~15 s on a fresh
 * machine). The jars land in a scratch dir renamed into place at the end, so
 * an interrupted download is never taken for a complete one. Returns the dir.
 */
export function ensureKafkaJars(version = KAFKA_VERSION): string {
  const libs = kafkaLibsDir(version);
  if (existsSync(libs) && readdirSync(libs).some((f) => f.startsWith("kafka_2.13-"))) return libs;
  ensureJavaAndMaven();
  const base = join(libs, "..");
  mkdirSync(base, { recursive: true });
  const pom = join(base, "pom.xml");
  writeFileSync(pom, pomXml(version));
  const scratch = join(base, `libs.partial-${process.pid}`);
  rmSync(scratch, { recursive: true, force: true });
  const t0 = performance.now();
  console.error(`setup: fetching Kafka ${version} broker jars from Maven Central into ${libs}`);
  run([
    "mvn",
    "-q",
    "-B",
    "-f",
    pom,
    `${DEPENDENCY_PLUGIN}:copy-dependencies`,
    "-DincludeScope=runtime",
    `-DoutputDirectory=${scratch}`,
  ]);
  if (!readdirSync(scratch).some((f) => f.startsWith("kafka_2.13-"))) {
    throw new Error(`setup: Maven finished but ${scratch} has no kafka_2.13 jar`);
  }
  rmSync(libs, { recursive: true, force: true });
  renameSync(scratch, libs);
  console.error(`setup: Kafka jars ready (${Math.round(performance.now() - t0)} ms)`);
  return libs;
}

/** kcat (Debian), the independent producer the Kafka tests use. */
export function ensureKcat(): void {
  if (!onPath("kcat")) aptInstall(["kcat"]);
}

/** Everything the Kafka tests need on the machine: the broker jars and kcat. */
export function ensureKafkaTestTools(): void {
  ensureKafkaJars();
  ensureKcat();
}
