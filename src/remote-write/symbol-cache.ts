/**
 * Remote write 2.0 label references without a string lookup per label: every
 * label name and value gets a writer-wide id once, and each labels array (the
 * registry hands the same one every round, and to every series of a
 * histogram) keeps its ids, split where __name__ and le go. A request then
 * maps ids to its own symbol table through a stamped array. Strings of
 * series that went away are dropped by starting over when the table has
 * grown well past what a round uses. One cache serves one encoder at a time
 * (the writer keeps one per endpoint shape).
 */
export interface LabelIds {
  /** ids of [name, value, …] */
  ids: Int32Array;
  /** pair index where __name__ goes, and where le goes */
  nameAt: number;
  leAt: number;
}

export class SymbolCache {
  private ids = new Map<string, number>();
  readonly strings: string[] = [];
  private runs = new WeakMap<readonly string[], LabelIds>();
  /** distinct ids the current round used (for the reset decision) */
  private usedThisRound = 0;
  /** a request's ref of id i, valid where stamp[i] is the request's generation (kept here: no per-round allocation) */
  local = new Int32Array(1024);
  stamp = new Int32Array(1024);
  private generation = 0;

  /** A new request: every stamp is stale. */
  nextGeneration(): number {
    return ++this.generation;
  }

  /** Makes local and stamp cover `id`. */
  cover(id: number): void {
    if (id < this.stamp.length) return;
    let size = this.stamp.length * 2;
    while (size <= id) size *= 2;
    const local = new Int32Array(size);
    local.set(this.local);
    const stamp = new Int32Array(size);
    stamp.set(this.stamp);
    this.local = local;
    this.stamp = stamp;
  }

  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.ids.set(s, id);
    }
    return id;
  }

  /** The id of `s` if it has one (no insertion). */
  peek(s: string): number | undefined {
    return this.ids.get(s);
  }

  runsOf(labels: readonly string[]): LabelIds {
    let r = this.runs.get(labels);
    if (r === undefined) {
      const ids = new Int32Array(labels.length);
      let nameAt = -1;
      let leAt = -1;
      for (let i = 0; i < labels.length; i += 2) {
        const n = labels[i];
        if (nameAt < 0 && "__name__" < n) nameAt = i >> 1;
        if (leAt < 0 && "le" < n) leAt = i >> 1;
        ids[i] = this.id(n);
        ids[i + 1] = this.id(labels[i + 1]);
      }
      const pairs = labels.length >> 1;
      r = { ids, nameAt: nameAt < 0 ? pairs : nameAt, leAt: leAt < 0 ? pairs : leAt };
      this.runs.set(labels, r);
    }
    return r;
  }

  noteUsed(n: number): void {
    this.usedThisRound += n;
  }

  /** After a round: starts over when the table holds four times what the round used (and is large). */
  endRound(): void {
    if (this.strings.length > 100_000 && this.strings.length > 4 * this.usedThisRound) {
      this.ids = new Map();
      this.strings.length = 0;
      this.runs = new WeakMap();
    }
    this.usedThisRound = 0;
  }
}
