import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
/** The repository root. */
const ROOT = join(__dirname, '..');

const run = promisify(execFile);
const SKIP = new Set(['node_modules', 'dist', '.git', '.data', 'coverage']);

/** Every shell script of the repository: *.sh, and files whose #! line names sh or bash. */
function shellScripts(dir = ROOT): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (SKIP.has(entry)) continue;
    const path = join(dir, entry);
    const stat = statSync(path);
    if (stat.isDirectory()) {
      found.push(...shellScripts(path));
    } else if (entry.endsWith('.sh')) {
      found.push(path);
    } else if (stat.size > 2) {
      const head = readFileSync(path, 'utf8').slice(0, 80);
      if (/^#!\s*\/(usr\/)?bin\/(env\s+)?(ba)?sh\b/.test(head)) found.push(path);
    }
  }
  return found.map((p) => relative(ROOT, p)).sort();
}

describe('shell scripts', () => {
  it('finds the deploy, CI setup and CI scripts', () => {
    expect(shellScripts()).toEqual(
      expect.arrayContaining([
        '.ci/run',
        'packages/dev/src/deploy.sh',
        'packages/dev/src/lib/gcloud.sh',
        'packages/dev/src/lib/monitoring.sh',
        'packages/dev/src/setup-ci.sh',
      ]),
    );
  });

  it('pass shellcheck (Debian package `shellcheck`; .ci/run installs it)', async () => {
    const version = await run('shellcheck', ['--version']).catch(() => undefined);
    if (!version) {
      throw new Error(
        'shellcheck is not installed: `apt-get install shellcheck` (.ci/run and ci.yml install it)',
      );
    }
    // -x follows `source` of the sourced helpers (paths relative to the repository root).
    const result = await run('shellcheck', ['-x', ...shellScripts()], { cwd: ROOT }).then(
      () => ({ code: 0, stdout: '' }),
      (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
    );
    expect(result.stdout).toBe('');
    expect(result.code).toBe(0);
  });
});
