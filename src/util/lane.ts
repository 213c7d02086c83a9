/**
 * Async jobs one after another: a tenant's walks over its series (a
 * collection round with its checkpoint capture, a stale sweep) run in
 * slices, and two of them must never interleave.
 */
export class Lane {
  private tail: Promise<void> = Promise.resolve();
  private queued = 0;

  /** Whether a job is running or waiting. */
  get busy(): boolean {
    return this.queued > 0;
  }

  /** Runs `job` once every job queued before it has settled; resolves (or rejects) with it. */
  run<T>(job: () => Promise<T> | T): Promise<T> {
    this.queued++;
    const result = this.tail.then(job);
    const settled = () => {
      this.queued--;
    };
    this.tail = result.then(settled, settled);
    return result;
  }
}
