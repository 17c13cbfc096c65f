/** Bounded polling for server-side effects that happen after a response (AMS background tasks). */

/**
 * Calls `probe` every `intervalMs` until it returns something other than `undefined`, and returns
 * that; throws (naming `what`) when `timeoutMs` passes first.
 */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  // Generous: background tasks on a loaded 2-core machine have taken over 15 s.
  timeoutMs = 45_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not seen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
