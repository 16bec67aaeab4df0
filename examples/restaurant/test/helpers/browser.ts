import { execFileSync } from 'node:child_process';

/** Debian's chromium (or another Chromium on PATH); CHROMIUM_PATH names one explicitly. */
export function findChromium(): string {
  const candidates = process.env.CHROMIUM_PATH
    ? [process.env.CHROMIUM_PATH]
    : ['chromium', 'chromium-browser', 'google-chrome'];
  for (const name of candidates) {
    try {
      return execFileSync('sh', ['-c', `command -v "${name}"`], { encoding: 'utf8' }).trim();
    } catch {
      // not this one
    }
  }
  throw new Error(
    'No Chromium found for the browser test: apt-get install chromium (or set CHROMIUM_PATH).',
  );
}
