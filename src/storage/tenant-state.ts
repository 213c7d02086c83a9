import { mkdirSync } from "node:fs";
import { removeTempFiles } from "./atomic-file.ts";
import { join } from "node:path";
import type { RestoreReport } from "../registry/registry-snapshot.ts";
import { BinReader, BinWriter, CodecError } from "../util/bin-codec.ts";
import { CheckpointFile } from "./checkpoint-file.ts";
import { type Steps, atOnce } from "../util/slices.ts";

/** 2: series carry their creation time, native histograms have their own kinds (format 1 still reads). */
const FORMAT = 2;

/** What a checkpoint holds: the registry and the processors' own state. */
export interface CheckpointTarget {
  registry: { snapshotSteps(w: BinWriter): Steps; restore(r: BinReader, format: number): RestoreReport };
  processors: readonly { readonly name: string; snapshot?(w: BinWriter): void; restore?(r: BinReader): number }[];
}

/** One captured state, ready to be written. */
export interface Capture {
  seq: number;
  /** the last round collected at capture time: queued rounds up to it are covered */
  roundSeq: number;
  roundTs: number;
  /** Kafka offsets ("topic/partition" → next offset) whose records are inside this state */
  kafka: ReadonlyMap<string, bigint>;
  payload: Uint8Array;
}

/** What a restore brought back. */
export interface Restored {
  roundSeq: number;
  roundTs: number;
  writtenAt: number;
  kafka: ReadonlyMap<string, bigint>;
  registry: RestoreReport;
  pendingEdges: number;
}

/**
 * One tenant's durable state under storage.path: `<path>/<tenant>/checkpoint`
 * (every series, pending service-graph edges, the Kafka offsets inside them,
 * and the last round collected) and one remote-write queue directory per
 * endpoint. A capture is taken synchronously at a collection round, so it is
 * one consistent cut of the registry, the processors and the offsets.
 */
export class TenantState {
  readonly dir: string;
  readonly checkpoint: CheckpointFile;
  private seq = 0;

  constructor(root: string, tenant: string) {
    this.dir = join(root, tenant);
    mkdirSync(this.dir, { recursive: true });
    removeTempFiles(this.dir);
    this.checkpoint = new CheckpointFile(join(this.dir, "checkpoint"));
  }

  /** The queue directory of a remote-write endpoint (its name made safe for a path). */
  queueDir(endpointName: string): string {
    const safe = endpointName.replace(/[^A-Za-z0-9._-]/g, "_");
    const suffix = safe === endpointName ? "" : `-${Bun.hash.crc32(endpointName).toString(16)}`;
    return join(this.dir, `queue-${safe}${suffix}`);
  }

  /** Restores the checkpoint on disk into `target`; undefined when there is none, or it is damaged or does not fit (logged by the caller). */
  restore(target: CheckpointTarget): { restored: Restored } | { error: string } | undefined {
    const payload = this.checkpoint.load();
    if (payload === undefined) return undefined;
    try {
      const r = new BinReader(payload);
      const format = r.uint();
      if (format !== 1 && format !== FORMAT) throw new CodecError("unknown checkpoint format");
      this.seq = r.uint();
      const roundSeq = r.uint();
      const roundTs = r.f64();
      const writtenAt = r.f64();
      const kafka = new Map<string, bigint>();
      const nk = r.count();
      for (let i = 0; i < nk; i++) kafka.set(r.str(), BigInt(r.str()));
      const registry = target.registry.restore(r, format);
      let pendingEdges = 0;
      const np = r.count();
      for (let i = 0; i < np; i++) {
        const name = r.str();
        const bytes = r.bytes();
        const p = target.processors.find((x) => x.name === name);
        if (p?.restore !== undefined) pendingEdges += p.restore(new BinReader(bytes));
      }
      return { restored: { roundSeq, roundTs, writtenAt, kafka, registry, pendingEdges } };
    } catch (e) {
      this.checkpoint.setAside((e as Error).message);
      return { error: (e as Error).message };
    }
  }

  /** Captures `target` now (synchronously: nothing else runs in between). */
  capture(target: CheckpointTarget, roundSeq: number, roundTs: number, kafka: ReadonlyMap<string, bigint>): Capture {
    return atOnce(this.captureSteps(target, roundSeq, roundTs, kafka));
  }

  /**
   * The same as a walk that yields every few series, to run in slices while
   * spans keep arriving. It is a point in time, its first step: the
   * processors' state is taken then, the registry's series are held as they
   * were then (Registry.snapshotSteps), and `kafka` must be the offsets
   * processed then (the caller reads them as the walk starts), so the
   * checkpoint's counts are exactly what its offsets include.
   */
  *captureSteps(target: CheckpointTarget, roundSeq: number, roundTs: number, kafka: ReadonlyMap<string, bigint>): Steps<Capture> {
    const seq = ++this.seq;
    const w = new BinWriter();
    w.uint(FORMAT);
    w.uint(seq);
    w.uint(roundSeq);
    w.f64(roundTs);
    w.f64(Date.now());
    w.uint(kafka.size);
    for (const [k, v] of kafka) {
      w.str(k);
      w.str(v.toString());
    }
    // the processors' state (pending edges, bounded) at once, before the registry's first yield
    const processors: [string, Uint8Array][] = [];
    for (const p of target.processors) {
      if (p.snapshot === undefined) continue;
      const pw = new BinWriter();
      p.snapshot(pw);
      processors.push([p.name, pw.finish()]);
    }
    yield* target.registry.snapshotSteps(w);
    w.uint(processors.length);
    for (const [name, bytes] of processors) {
      w.str(name);
      w.bytes(bytes);
    }
    return { seq, roundSeq, roundTs, kafka, payload: yield* w.finishSteps() };
  }
}
