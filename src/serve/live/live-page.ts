import { type LiveView, liveView } from "./live-view.ts";
import type { LiveSources } from "./live-sources.ts";
import { RING_DEFAULTS, type RingOptions, type Snapshot, SnapshotRing } from "./snapshot-ring.ts";
import { SummarySink } from "./summary-sink.ts";
import { inSlices } from "../../util/slices.ts";

const DEFAULT_TENANT = "single-tenant";

/**
 * The live page's figures, per tenant. A tenant's snapshot ring exists only
 * while its page is polled: the first request creates it, and it is dropped
 * after a window without requests. Nothing runs between requests.
 */
export class LivePage {
  private readonly rings = new Map<string, SnapshotRing>();

  constructor(
    private readonly sources: LiveSources,
    private readonly ringOptions: RingOptions = RING_DEFAULTS,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The view of `requested`, or of the default tenant: single-tenant when it exists, else the first one. */
  async view(requested: string | undefined): Promise<LiveView> {
    const tenants = this.sources.tenantIds();
    const tenant = requested ?? (tenants.includes(DEFAULT_TENANT) || tenants.length === 0 ? DEFAULT_TENANT : tenants[0]);
    const head = { version: this.sources.version, tenant, tenants };
    // A tenant that has sent nothing gets an empty view and no ring: made-up names cost nothing.
    if (this.sources.registryOf(tenant) === undefined) {
      return liveView(head, await this.snapshot(tenant, this.clock()), undefined, this.sources.health(tenant), this.sources.kafka());
    }
    let ring = this.rings.get(tenant);
    if (ring === undefined) {
      ring = new SnapshotRing(
        (now) => this.snapshot(tenant, now),
        () => this.rings.delete(tenant),
        this.ringOptions,
      );
      this.rings.set(tenant, ring);
    }
    const { current, base } = await ring.observe(this.clock());
    return liveView(
      head,
      current,
      base,
      this.sources.health(tenant),
      this.sources.kafka(),
    );
  }

  /** Tenants whose page is being watched (their rings hold snapshots). */
  get watched(): number {
    return this.rings.size;
  }

  /** A scrape-mode collection into the summary, in slices (a million series must not hold the event loop). */
  private async snapshot(tenant: string, now: number): Promise<Snapshot> {
    const sink = new SummarySink();
    const registry = this.sources.registryOf(tenant);
    if (registry !== undefined) await inSlices(registry.collectSteps(now, sink, "scrape"));
    return { ts: now, summary: sink.summary, spansReceived: this.sources.health(tenant)?.spansReceived ?? 0 };
  }
}
