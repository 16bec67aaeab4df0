/**
 * Calls the worker's sweep (`POST …/sweep`) every `everyMs`, as Cloud Scheduler does in
 * production. Says something only when the sweep found work or failed. Returns the stopper.
 */
export function startSweepLoop(url: string, everyMs: number, log: (line: string) => void) {
  const timer = setInterval(() => {
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(30_000),
    })
      .then(async (res) => {
        const report = (await res.json().catch(() => ({}))) as Record<string, number>;
        if (!res.ok) log(`sweep answered HTTP ${res.status}`);
        else if (report.requeued || report.abandoned) log(`sweep: ${JSON.stringify(report)}`);
      })
      .catch((err: unknown) => log(`sweep failed: ${(err as Error).message}`));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
