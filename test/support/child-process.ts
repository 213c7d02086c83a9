import type { Subprocess } from "bun";
import { poll, withTimeout } from "./poll.ts";

/**
 * A spawned process whose stdout and stderr are captured as text, so tests
 * can wait for a log line and show the log when something fails. `stop`
 * sends SIGTERM, waits, and escalates to SIGKILL; disposing stops it.
 */
export class ChildProcess implements AsyncDisposable {
  readonly proc: Subprocess<"ignore", "pipe", "pipe">;
  private stdoutText = "";
  private stderrText = "";
  private readonly drained: Promise<void>;

  constructor(
    readonly name: string,
    cmd: string[],
    options: { cwd?: string; env?: Record<string, string | undefined> } = {},
  ) {
    this.proc = Bun.spawn(cmd, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    this.drained = Promise.all([
      drain(this.proc.stdout, (s) => (this.stdoutText += s)),
      drain(this.proc.stderr, (s) => (this.stderrText += s)),
    ]).then(() => undefined);
  }

  get pid(): number {
    return this.proc.pid;
  }

  get stdout(): string {
    return this.stdoutText;
  }

  get stderr(): string {
    return this.stderrText;
  }

  /** null while running. */
  get exitCode(): number | null {
    return this.proc.exitCode;
  }

  /** Waits for a stderr line matching `re`; fails early if the process exits first. */
  waitForStderr(re: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    return this.waitFor(() => this.stderrText, re, timeoutMs);
  }

  /** Waits for stdout to match `re` (e.g. a helper printing its port); fails early if the process exits first. */
  waitForStdout(re: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    return this.waitFor(() => this.stdoutText, re, timeoutMs);
  }

  private async waitFor(text: () => string, re: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const found = await poll(
      `${this.name} to print ${re}`,
      () => {
        const m = text().match(re);
        if (m !== null) return m;
        return this.proc.exitCode !== null || this.proc.signalCode !== null ? "exited" : undefined;
      },
      { timeoutMs, intervalMs: 20 },
      () => `log so far:\n${this.tail()}`,
    );
    if (found === "exited") {
      await this.drained;
      throw new Error(`${this.name} exited (${this.proc.exitCode ?? this.proc.signalCode}); log:\n${this.tail()}`);
    }
    return found;
  }

  /** Resolves with the exit code once the process has ended and its output is read. */
  async exited(timeoutMs = 30_000): Promise<number> {
    const code = await withTimeout(`${this.name} to exit`, this.proc.exited, timeoutMs);
    await this.drained;
    return code;
  }

  /**
   * Sends `signal` and waits up to `timeoutMs` for the exit; then SIGKILL.
   * Returns the exit code (128 + n for a signal death, as Bun reports it).
   */
  async stop(signal: NodeJS.Signals = "SIGTERM", timeoutMs = 15_000): Promise<number> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal);
    try {
      return await this.exited(timeoutMs);
    } catch (e) {
      this.proc.kill("SIGKILL");
      await this.proc.exited;
      throw e;
    }
  }

  /** The last lines of stderr, for failure messages. */
  tail(lines = 40): string {
    return this.stderrText.split("\n").slice(-lines).join("\n");
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    await this.stop().catch(() => undefined);
  }
}

async function drain(stream: ReadableStream<Uint8Array>, onText: (s: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  for await (const chunk of stream) onText(decoder.decode(chunk, { stream: true }));
  onText(decoder.decode());
}
