/**
 * A value created on first use and kept for later calls (per process: across invocations of a
 * function instance). A failed creation is forgotten, so the next call tries again instead of
 * failing forever.
 */
export function lazyAsync<T>(create: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    const pending = (value ??= create());
    pending.catch(() => {
      if (value === pending) value = undefined;
    });
    return pending;
  };
}
