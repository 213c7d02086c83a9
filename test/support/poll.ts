/**
 * Waiting for a condition instead of sleeping (style.md §5): `poll` calls
 * `probe` until it returns a value other than undefined, pausing `intervalMs`
 * between attempts, and fails with the last value or error once `timeoutMs`
 * has passed.
 */
export async function poll<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  { timeoutMs = 10_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
  describeLast: () => string = () => "",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
      lastError = undefined;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) {
      const detail = lastError === undefined ? describeLast() : String((lastError as Error)?.message ?? lastError);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `: ${detail}` : ""}`);
    }
    await Bun.sleep(intervalMs);
  }
}

/** Resolves with `promise`, or rejects once `timeoutMs` has passed. */
export async function withTimeout<T>(what: string, promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Time limit for end-to-end tests and their hooks: they start processes and
 * wait for collection rounds, so bun's 5 s default is too tight on a loaded
 * machine. The polls inside have shorter deadlines and fail with a precise
 * message first.
 */
export const E2E_TIMEOUT_MS = 30_000;
