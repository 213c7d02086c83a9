import type { Env, Hono } from "hono";
import { tenantFromHeader } from "../../receive/tenant-id.ts";
import { LivePage } from "./live-page.ts";
import type { LiveSources } from "./live-sources.ts";
import pageHtml from "./page.html" with { type: "text" };

/** The page as served: the document, its gzip, and a CSP that allows exactly its inline script and style. */
export interface PageDocument {
  html: string;
  gzip: Uint8Array;
  csp: string;
}

function inlineHash(html: string, tag: "script" | "style"): string {
  const m = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(html);
  if (m === null) throw new Error(`page.html has no <${tag}>`);
  return `'sha256-${new Bun.CryptoHasher("sha256").update(m[1]).digest("base64")}'`;
}

/** Builds the served document once (the page is embedded in the binary). */
export function pageDocument(html: string = pageHtml as unknown as string): PageDocument {
  const csp = [
    "default-src 'none'",
    `script-src ${inlineHash(html, "script")}`,
    `style-src ${inlineHash(html, "style")}`,
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
  return { html, gzip: Bun.gzipSync(html, { level: 9 }), csp };
}

/**
 * The live page on the API port: `GET /` (the page, one embedded document,
 * no external assets) and `GET /live/summary?tenant=ID` (what it polls).
 * Ordinary routes of the API app, so any middleware put in front of that
 * app (authentication) covers them. Read-only: GET only, nothing changes.
 */
export function mountLivePage<E extends Env>(app: Hono<E>, sources: LiveSources): LivePage {
  const page = new LivePage(sources);
  let doc: PageDocument | undefined;
  app.get("/", (c) => {
    doc ??= pageDocument();
    const headers: Record<string, string> = {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": doc.csp,
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "no-referrer",
      "Cache-Control": "no-cache",
      Vary: "Accept-Encoding",
    };
    if (/\bgzip\b/.test(c.req.header("accept-encoding") ?? "")) {
      headers["Content-Encoding"] = "gzip";
      return c.body(doc.gzip as Uint8Array<ArrayBuffer>, 200, headers);
    }
    return c.body(doc.html, 200, headers);
  });
  app.get("/live/summary", async (c) => {
    const raw = c.req.query("tenant");
    let tenant: string | undefined;
    if (raw !== undefined && raw !== "") {
      const t = tenantFromHeader(raw);
      if ("error" in t) return c.text(t.error, 400);
      tenant = t.tenant;
    }
    return c.json(await page.view(tenant), 200, { "Cache-Control": "no-store" });
  });
  return page;
}
