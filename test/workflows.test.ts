import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
/** The repository root. */
const ROOT = join(__dirname, '..');

// The GitHub Actions workflows: valid YAML, every third-party action pinned to a commit, the
// deploy keyless (Workload Identity Federation) and the release with npm provenance, both only
// after the tests pass on main, each job with no more permissions than it needs.

interface Step {
  id?: string;
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
  secrets?: Record<string, string> | 'inherit';
  environment?: string;
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
  it('are ci.yml, deploy.yml and release.yml, all valid YAML', () => {
    expect(files.sort()).toEqual(['ci.yml', 'deploy.yml', 'release.yml']);
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
      'changesets/action',
    ]) {
      expect(
        all.some((u) => u.startsWith(`${action}@`)),
        action,
      ).toBe(true);
    }
  });

  it('ci.yml runs the README test command on pull requests and pushes, then deploys and releases main', () => {
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
    const release = ci.jobs.release!;
    expect(release.needs).toBe('test');
    expect(release.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
    expect(release.uses).toBe('./.github/workflows/release.yml');
    // A called workflow gets at most what its caller grants: exactly what release.yml's jobs use.
    expect(release.permissions).toEqual({
      contents: 'write',
      'pull-requests': 'write',
      'id-token': 'write',
    });
    expect(release.secrets).toEqual({ NPM_TOKEN: '${{ secrets.NPM_TOKEN }}' }); // not 'inherit'
  });

  it('.ci/run and ci.yml run the same test command as the README', () => {
    const ciRun = readFileSync(join(ROOT, '.ci', 'run'), 'utf8')
      .trim()
      .split('\n');
    expect(ciRun.at(-1)).toBe('npm test');
    expect(ciRun.at(-2)).toMatch(/^npm ci\b/);
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('npm ci && npm test');
  });

  it('deploy.yml authenticates with Workload Identity Federation, sets up gcloud, runs npm run deploy', () => {
    const deploy = load('deploy.yml');
    expect(Object.keys(deploy.on).sort()).toEqual(['workflow_call', 'workflow_dispatch']);
    const steps = deploy.jobs.deploy!.steps ?? [];
    const at = (pred: (s: Step) => boolean) => steps.findIndex(pred);
    const auth = at((s) => !!s.uses?.startsWith('google-github-actions/auth@'));
    const gcloud = at((s) => !!s.uses?.startsWith('google-github-actions/setup-gcloud@'));
    const install = at((s) => s.run?.trim().startsWith('npm ci') ?? false);
    const run = at((s) => /(npm run deploy|npx dff deploy)\b/.test(s.run ?? ''));
    // dff comes from the workspace's dependencies, installed before any credential exists.
    expect(install).toBeGreaterThan(-1);
    expect(auth).toBeGreaterThan(install);
    expect(gcloud).toBeGreaterThan(auth);
    expect(run).toBeGreaterThan(gcloud);
    expect(steps[auth]!.with).toMatchObject({
      workload_identity_provider: '${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER }}',
      service_account: '${{ vars.GCP_DEPLOYER_SERVICE_ACCOUNT }}',
    });
    expect(JSON.stringify(deploy)).not.toContain('credentials_json'); // no service account key
    expect(deploy.jobs.deploy!.if).toBe("github.ref == 'refs/heads/main'");
    // The root script forwards to dff's deploy, whose script is packages/dev/src/deploy.sh.
    const scripts = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    expect(scripts.deploy).toMatch(/packages\/dev\/bin\/dff\.js -C examples\/restaurant deploy$/);
    // Every setting the deploy step passes is one the deploy script (or its helpers) reads.
    const script = ['deploy.sh', 'lib/gcloud.sh', 'lib/monitoring.sh']
      .map((f) => readFileSync(join(ROOT, 'packages', 'dev', 'src', f), 'utf8'))
      .join('\n');
    for (const name of Object.keys(steps[run]!.env ?? {})) {
      if (name === 'WITH_ALERTS') continue; // read by the step itself
      expect(script, name).toContain(name);
    }
  });

  describe('release.yml', () => {
    const release = load('release.yml');
    const version = release.jobs.version!;
    const publish = release.jobs.publish!;
    const changesets = (job: Job) =>
      (job.steps ?? []).find((s) => s.uses?.startsWith('changesets/action@'));

    it('is called by ci.yml only (after the tests), and grants nothing by default', () => {
      expect(Object.keys(release.on)).toEqual(['workflow_call']);
      expect(release.permissions).toEqual({});
      expect(Object.keys(release.jobs).sort()).toEqual(['publish', 'version']);
      expect(version.if).toContain(
        "github.repository == 'dialogflow-functions/dialogflow-functions'",
      );
    });

    it('versions with Changesets in a job that can open the pull request and nothing else', () => {
      expect(version.permissions).toEqual({ contents: 'write', 'pull-requests': 'write' });
      const step = changesets(version)!;
      expect(step.with).toMatchObject({ version: 'npm run version-packages' });
      expect(step.with?.publish).toBeUndefined(); // versioning never publishes
      expect(JSON.stringify(version)).not.toContain('NPM_TOKEN');
    });

    it('publishes with npm provenance, only when nothing is left to version', () => {
      expect(publish.needs).toBe('version');
      expect(publish.if).toBe("needs.version.outputs.pending == 'false'");
      expect(publish.permissions).toEqual({ contents: 'write', 'id-token': 'write' });
      const step = changesets(publish)!;
      expect(step.with).toMatchObject({ publish: 'npm run release' });
      // npm reads NPM_CONFIG_PROVENANCE as `npm publish --provenance` for every package.
      expect(step.env).toMatchObject({
        NPM_TOKEN: '${{ secrets.NPM_TOKEN }}',
        NPM_CONFIG_PROVENANCE: 'true',
      });
      const scripts = (
        JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
          scripts: Record<string, string>;
        }
      ).scripts;
      expect(scripts.release).toMatch(/^npm run build && changeset publish$/);
      expect(scripts['version-packages']).toMatch(
        /^changeset version && npm install --package-lock-only/,
      );
    });

    it('never leaves git credentials on disk, nor restores a cache a pull request wrote', () => {
      for (const job of [version, publish]) {
        const steps = job.steps ?? [];
        const checkout = steps.find((s) => s.uses?.startsWith('actions/checkout@'))!;
        expect(checkout.with).toMatchObject({ 'persist-credentials': false });
        const node = steps.find((s) => s.uses?.startsWith('actions/setup-node@'))!;
        expect(node.with).toMatchObject({ 'package-manager-cache': false });
        expect(changesets(job)!.with).toMatchObject({ commitMode: 'github-api' });
      }
    });

    it('releases the published packages together with a changelog each, from .changeset/config.json', () => {
      const config = JSON.parse(readFileSync(join(ROOT, '.changeset', 'config.json'), 'utf8')) as {
        fixed: string[][];
        access: string;
        baseBranch: string;
      };
      expect(config.access).toBe('public');
      expect(config.baseBranch).toBe('main');
      const published = readdirSync(join(ROOT, 'packages'))
        .map((dir) => ({
          dir,
          pkg: JSON.parse(readFileSync(join(ROOT, 'packages', dir, 'package.json'), 'utf8')) as {
            name: string;
            private?: boolean;
            files?: string[];
            repository?: { url?: string };
          },
        }))
        .filter(({ pkg }) => !pkg.private);
      expect(published.map(({ pkg }) => pkg.name).sort()).toEqual([
        '@dialogflow-functions/core',
        '@dialogflow-functions/dev',
        '@dialogflow-functions/testing',
        'cloud-tasks-emulator',
        'create-dialogflow-functions',
      ]);
      const fixed = config.fixed.flat();
      for (const { dir, pkg } of published) {
        if (pkg.name !== 'cloud-tasks-emulator') expect(fixed, pkg.name).toContain(pkg.name);
        const changelog = readFileSync(join(ROOT, 'packages', dir, 'CHANGELOG.md'), 'utf8');
        expect(changelog.startsWith(`# ${pkg.name}\n`), dir).toBe(true); // where changesets adds
        expect(pkg.files, dir).toContain('CHANGELOG.md'); // and it ships
        // npm refuses a provenance statement for a package that names another repository.
        expect(pkg.repository?.url, `packages/${dir}/package.json repository.url`).toBe(
          'https://github.com/dialogflow-functions/dialogflow-functions.git',
        );
      }
    });
  });
});
