import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChildProcess } from "./child-process.ts";
import { poll, withTimeout } from "./poll.ts";
import { ensureChromium } from "./setup.ts";

interface CdpAnswer {
  id?: number;
  method?: string;
  result?: Record<string, unknown>;
  error?: { message: string };
}

/**
 * Debian's Chromium, headless, driven over the DevTools protocol (a
 * WebSocket; no browser-automation library): a throw-away profile, no
 * background network, and a remote-debugging port the kernel picks
 * (Chromium prints it). `open` loads a page, `evaluate` runs an expression
 * in it, `screenshot` writes a PNG. Stop with `stop()` or by disposing.
 */
export class Chromium implements AsyncDisposable {
  private nextId = 0;
  private readonly pending = new Map<number, (a: CdpAnswer) => void>();
  private readonly events: CdpAnswer[] = [];

  private constructor(
    private readonly process: ChildProcess,
    private readonly profile: string,
    private readonly socket: WebSocket,
  ) {
    socket.onmessage = (e) => {
      const m = JSON.parse(String(e.data)) as CdpAnswer;
      const done = m.id === undefined ? undefined : this.pending.get(m.id);
      if (done !== undefined && m.id !== undefined) {
        this.pending.delete(m.id);
        done(m);
      } else if (m.method !== undefined) this.events.push(m);
    };
  }

  static async start(): Promise<Chromium> {
    const binary = ensureChromium();
    const profile = mkdtempSync(join(tmpdir(), "redgen-chromium-"));
    const child = new ChildProcess("chromium", [
      binary,
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--hide-scrollbars",
      `--user-data-dir=${profile}`,
      "--remote-debugging-address=127.0.0.1",
      "--remote-debugging-port=0",
      "about:blank",
    ]);
    try {
      const [, ws] = await child.waitForStderr(/DevTools listening on (ws:\/\/\S+)/, 30_000);
      const port = new URL(ws).port;
      const targets = await poll("Chromium's page target", async () => {
        const list = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { type: string; webSocketDebuggerUrl: string }[];
        return list.find((t) => t.type === "page");
      });
      const socket = new WebSocket(targets.webSocketDebuggerUrl);
      await withTimeout(
        "the DevTools WebSocket to open",
        new Promise<void>((resolve, reject) => {
          socket.onopen = () => resolve();
          socket.onerror = () => reject(new Error("DevTools WebSocket failed"));
        }),
        10_000,
      );
      const browser = new Chromium(child, profile, socket);
      await browser.send("Page.enable");
      await browser.send("Runtime.enable");
      await browser.send("Log.enable");
      return browser;
    } catch (e) {
      await child.stop("SIGKILL").catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
      throw e;
    }
  }

  /** One DevTools command; rejects with the protocol's error. */
  async send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = ++this.nextId;
    const answer = new Promise<CdpAnswer>((resolve) => this.pending.set(id, resolve));
    this.socket.send(JSON.stringify({ id, method, params }));
    const a = await withTimeout(`DevTools ${method}`, answer, 20_000);
    if (a.error !== undefined) throw new Error(`DevTools ${method}: ${a.error.message}`);
    return a.result ?? {};
  }

  /** Loads `url` in a window of the given size and waits for its load event. */
  async open(url: string, width = 1280, height = 900): Promise<void> {
    await this.send("Emulation.setDeviceMetricsOverride", { width, height, deviceScaleFactor: 1, mobile: false });
    this.events.length = 0;
    await this.send("Page.navigate", { url });
    await poll(`${url} to load`, () => (this.events.some((e) => e.method === "Page.loadEventFired") ? true : undefined), {
      timeoutMs: 15_000,
      intervalMs: 20,
    });
  }

  /** The value of a JavaScript expression in the page (awaited when it is a promise). */
  async evaluate<T>(expression: string): Promise<T> {
    const r = (await this.send("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true })) as {
      result: { value?: T };
      exceptionDetails?: { text: string; exception?: { description?: string } };
    };
    if (r.exceptionDetails !== undefined) throw new Error(`in the page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as T;
  }

  /** Errors the page logged or threw: console errors, uncaught exceptions, and the browser's own (a CSP violation, a failed load). */
  get pageErrors(): string[] {
    return this.events
      .filter((e) => {
        const p = (e as { params?: { type?: string; entry?: { level?: string } } }).params;
        return e.method === "Runtime.exceptionThrown" || (e.method === "Runtime.consoleAPICalled" && p?.type === "error") || (e.method === "Log.entryAdded" && p?.entry?.level === "error");
      })
      .map((e) => JSON.stringify((e as { params?: unknown }).params));
  }

  /** A PNG of the whole page (beyond the window when it is taller). */
  async screenshot(file: string): Promise<number> {
    const { data } = (await this.send("Page.captureScreenshot", { format: "png", captureBeyondViewport: true })) as { data: string };
    const png = Buffer.from(data, "base64");
    writeFileSync(file, png);
    return png.length;
  }

  async stop(): Promise<void> {
    try {
      this.socket.close();
      await this.process.stop("SIGTERM", 10_000);
    } finally {
      rmSync(this.profile, { recursive: true, force: true });
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
