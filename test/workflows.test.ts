import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
/** The repository root. */
const ROOT = join(__dirname, '..');

// The GitHub Actions workflows: valid YAML, every third-party action pinned to a commit, and the
// deploy keyless (Workload Identity Federation) and only after the tests pass on main.

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
interface Job {
  uses?: string;
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string>;
  steps?: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const DIR = join(ROOT, '.github', 'workflows');
const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));
const load = (file: string) => parse(readFileSync(join(DIR, file), 'utf8')) as Workflow;
const uses = (w: Workflow) =>
  Object.values(w.jobs).flatMap((job) =>
    [job.uses, ...(job.steps ?? []).map((s) => s.uses)].filter((u): u is string => !!u),
  );

describe('.github/workflows', () => {
  it('are ci.yml and deploy.yml, both valid YAML', () => {
    expect(files.sort()).toEqual(['ci.yml', 'deploy.yml']);
    for (const file of files) expect(() => load(file)).not.toThrow();
  });

  it('pin every third-party action to a full commit SHA', () => {
    const all = files.flatMap((f) => uses(load(f)));
    expect(all.length).toBeGreaterThan(4);
    for (const ref of all) {
      if (ref.startsWith('./')) continue; // this repository's own workflow
      expect(ref, ref).toMatch(
        /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[A-Za-z0-9_./-]+)?@[0-9a-f]{40}$/,
      );
    }
    for (const action of [
      'actions/checkout',
      'actions/setup-node',
      'google-github-actions/auth',
      'google-github-actions/setup-gcloud',
    ]) {
      expect(
        all.some((u) => u.startsWith(`${action}@`)),
        action,
      ).toBe(true);
    }
  });

  it('ci.yml runs the README test command on pull requests and pushes, then deploys main', () => {
    const ci = load('ci.yml');
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
    expect(ci.permissions).toEqual({ contents: 'read' });
    const runs = (ci.jobs.test!.steps ?? []).map((s) => s.run ?? '');
    expect(runs).toContain('npm ci');
    expect(runs).toContain('npm test');
    expect(runs.join('\n')).toMatch(/apt-get install .*shellcheck/);
    const deploy = ci.jobs.deploy!;
    expect(deploy.needs).toBe('test');
    expect(deploy.if).toContain("github.event_name == 'push'");
    expect(deploy.if).toContain("github.ref == 'refs/heads/main'");
    expect(deploy.uses).toBe('./.github/workflows/deploy.yml');
    expect(deploy.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
  });

  it('deploy.yml authenticates with Workload Identity Federation, sets up gcloud, runs scripts/deploy.sh', () => {
    const deploy = load('deploy.yml');
    expect(Object.keys(deploy.on).sort()).toEqual(['workflow_call', 'workflow_dispatch']);
    const steps = deploy.jobs.deploy!.steps ?? [];
    const at = (pred: (s: Step) => boolean) => steps.findIndex(pred);
    const auth = at((s) => !!s.uses?.startsWith('google-github-actions/auth@'));
    const gcloud = at((s) => !!s.uses?.startsWith('google-github-actions/setup-gcloud@'));
    const run = at((s) => !!s.run?.includes('scripts/deploy.sh'));
    expect(auth).toBeGreaterThan(-1);
    expect(gcloud).toBeGreaterThan(auth);
    expect(run).toBeGreaterThan(gcloud);
    expect(steps[auth]!.with).toMatchObject({
      workload_identity_provider: '${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER }}',
      service_account: '${{ vars.GCP_DEPLOYER_SERVICE_ACCOUNT }}',
    });
    expect(JSON.stringify(deploy)).not.toContain('credentials_json'); // no service account key
    expect(deploy.jobs.deploy!.if).toBe("github.ref == 'refs/heads/main'");
    // Every setting the deploy step passes is one scripts/deploy.sh (or its helpers) reads.
    const script = ['scripts/deploy.sh', 'scripts/lib/gcloud.sh', 'scripts/lib/monitoring.sh']
      .map((f) => readFileSync(join(ROOT, f), 'utf8'))
      .join('\n');
    for (const name of Object.keys(steps[run]!.env ?? {})) {
      if (name === 'WITH_ALERTS') continue; // read by the step itself
      expect(script, name).toContain(name);
    }
  });
});
