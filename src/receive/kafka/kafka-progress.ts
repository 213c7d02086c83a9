import { log } from "../../util/log.ts";
import type { KafkaSource } from "./kafka-source.ts";

/** "topic/partition" → the next offset. */
export type Offsets = ReadonlyMap<string, bigint>;

/**
 * Exactly-once from Kafka. A tenant's checkpoint records the offsets of the
 * records already inside it; an offset is committed only once every tenant's
 * checkpoint on disk covers it, so a crashed instance that comes back resumes
 * from its durable state: the group's committed offset is never past what a
 * restore brings back, and records between the committed offset and a
 * tenant's own checkpoint are skipped for that tenant (its replay floor)
 * instead of being counted twice.
 */
export class KafkaProgress {
  /** offsets inside each tenant's newest durable checkpoint; a tenant without one blocks every commit */
  private readonly durable = new Map<string, Offsets>();
  private readonly committed = new Map<string, bigint>();
  /** per tenant, offsets below which its restored checkpoint already counted the records */
  private readonly floors = new Map<string, Offsets>();
  skippedReplays = 0;
  commitFailures = 0;

  constructor(private readonly source: KafkaSource) {}

  /** Offsets of the records processed so far (what a checkpoint taken now contains). */
  processed(): Offsets {
    return this.source.processed();
  }

  /** A tenant exists: until its first checkpoint is durable, nothing is committed. */
  addTenant(tenant: string, restored: Offsets | undefined): void {
    if (!this.durable.has(tenant)) this.durable.set(tenant, restored ?? new Map());
    if (restored !== undefined && restored.size > 0) this.floors.set(tenant, restored);
  }

  /** Whether the record at `offset` is already inside `tenant`'s restored state. */
  alreadyCounted(tenant: string, topic: string, partition: number, offset: bigint): boolean {
    const floor = this.floors.get(tenant)?.get(`${topic}/${partition}`);
    if (floor === undefined || offset >= floor) return false;
    this.skippedReplays++;
    return true;
  }

  /** A tenant's checkpoint with these offsets is on disk: commit what every tenant now covers. */
  durableFor(tenant: string, offsets: Offsets): Promise<void> {
    this.durable.set(tenant, offsets);
    return this.commit();
  }

  /** Commits, per partition, the lowest offset all tenants' durable checkpoints have passed. */
  commit(): Promise<void> {
    let common: Map<string, bigint> | undefined;
    for (const offsets of this.durable.values()) {
      if (common === undefined) {
        common = new Map(offsets);
        continue;
      }
      for (const [k, v] of common) {
        const o = offsets.get(k);
        if (o === undefined) common.delete(k);
        else if (o < v) common.set(k, o);
      }
    }
    const advance = new Map<string, bigint>();
    for (const [k, v] of common ?? []) if ((this.committed.get(k) ?? -1n) < v) advance.set(k, v);
    if (advance.size === 0) return Promise.resolve();
    return this.source.commit(advance).then(
      (done) => {
        for (const [k, v] of done) this.committed.set(k, v);
      },
      (e: unknown) => {
        this.commitFailures++;
        log.warn("kafka: commit failed; the next checkpoint commits again", { partitions: advance.size, err: e });
      },
    );
  }
}
