import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";

/**
 * A series' labels encoded once as remote-write Label entries, split where
 * `__name__` and `le` go so the encoder writes them in sorted place between
 * the cached runs. The registry hands the same labels array every round (and
 * to every series of a histogram), so the cache is keyed by that array.
 */
export interface LabelRuns {
  bytes: Uint8Array;
  /** byte offset where __name__ goes, and where le goes (after __name__) */
  nameAt: number;
  leAt: number;
}

/** Encoded label runs by labels array; entries go with the arrays (stale series). */
export class LabelBytesCache {
  private readonly runs = new WeakMap<readonly string[], LabelRuns>();
  private readonly names = new Map<string, Uint8Array>();
  private readonly les = new Map<string, Uint8Array>();

  runsOf(labels: readonly string[]): LabelRuns {
    let r = this.runs.get(labels);
    if (r === undefined) {
      r = encodeRuns(labels);
      this.runs.set(labels, r);
    }
    return r;
  }

  /** The Label entry `__name__=<name>` (metric names are few). */
  nameEntry(name: string): Uint8Array {
    let e = this.names.get(name);
    if (e === undefined) this.names.set(name, (e = labelEntry("__name__", name)));
    return e;
  }

  /** The Label entry `le=<bound>`. */
  leEntry(le: string): Uint8Array {
    let e = this.les.get(le);
    if (e === undefined) this.les.set(le, (e = labelEntry("le", le)));
    return e;
  }
}

function encodeRuns(labels: readonly string[]): LabelRuns {
  const w = new BinaryWriter();
  let nameAt = -1;
  let leAt = -1;
  let size = 0;
  const entries: Uint8Array[] = [];
  for (let i = 0; i < labels.length; i += 2) {
    const n = labels[i];
    if (nameAt < 0 && "__name__" < n) nameAt = size;
    if (leAt < 0 && "le" < n) leAt = size;
    const e = labelEntry(n, labels[i + 1]);
    entries.push(e);
    size += e.length;
  }
  for (const e of entries) w.raw(e);
  return { bytes: w.finish(), nameAt: nameAt < 0 ? size : nameAt, leAt: leAt < 0 ? size : leAt };
}

/** One TimeSeries.labels entry: field 1, a Label{name, value}. */
export function labelEntry(name: string, value: string): Uint8Array {
  return new BinaryWriter()
    .tag(1, WireType.LengthDelimited)
    .fork()
    .tag(1, WireType.LengthDelimited)
    .string(name)
    .tag(2, WireType.LengthDelimited)
    .string(value)
    .join()
    .finish();
}
