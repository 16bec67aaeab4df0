import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../scripts/lib/processes';

const run = promisify(execFile);
const script = join(ROOT, 'scripts', 'deploy.sh');
const BASE = {
  PATH: process.env.PATH,
  GOOGLE_CLOUD_PROJECT: 'my-bot-123',
  TASKS_SERVICE_ACCOUNT: 'tasks@my-bot-123.iam.gserviceaccount.com',
};

describe('scripts/deploy.sh --dry-run', () => {
  it('prints the queue from scripts/queue.json and both functions on nodejs22 in production', async () => {
    const { stdout } = await run('bash', [script, '--dry-run'], {
      env: {
        ...BASE,
        WEBHOOK_TOKEN: 'super-secret-token-123456',
        LINE_CHANNEL_ACCESS_TOKEN: 'line-secret',
      },
    });
    const queue = JSON.parse(readFileSync(join(ROOT, 'scripts', 'queue.json'), 'utf8')) as {
      retryConfig: {
        maxAttempts: number;
        minBackoffSeconds: number;
        maxBackoffSeconds: number;
        maxDoublings: number;
      };
    };
    expect(stdout).toContain('gcloud tasks queues create fulfillment-jobs --location=asia-east1');
    expect(stdout).toContain(`--max-attempts=${queue.retryConfig.maxAttempts}`);
    expect(stdout).toContain(`--min-backoff=${queue.retryConfig.minBackoffSeconds}s`);
    expect(stdout).toContain(`--max-doublings=${queue.retryConfig.maxDoublings}`);
    const deploys = stdout.split('\n').filter((l) => l.startsWith('gcloud functions deploy'));
    expect(deploys).toHaveLength(2);
    for (const line of deploys) {
      expect(line).toContain('--runtime=nodejs22');
      expect(line).toContain('--gen2');
      expect(line).toMatch(/NODE_ENV=production/);
    }
    expect(deploys[0]).toMatch(/deploy worker .*--no-allow-unauthenticated/);
    expect(deploys[1]).toMatch(/deploy webhook .*WORKER_URL=/);
    expect(stdout).not.toContain('super-secret-token-123456');
    expect(stdout).not.toContain('line-secret');
    expect(stdout).toContain('# dry run: nothing was changed');
  });

  it.each([
    [{ GOOGLE_CLOUD_PROJECT: '' }, /GOOGLE_CLOUD_PROJECT is required/],
    [{ TASKS_SERVICE_ACCOUNT: '' }, /TASKS_SERVICE_ACCOUNT is required/],
    [{}, /WEBHOOK_OIDC_AUDIENCE/],
  ])('refuses to deploy without what production needs (%o)', async (env, message) => {
    const err = (await run('bash', [script, '--dry-run'], { env: { ...BASE, ...env } }).catch(
      (e: unknown) => e,
    )) as {
      code: number;
      stderr: string;
    };
    expect(err.code).toBe(1);
    expect(err.stderr).toMatch(message);
  });
});
