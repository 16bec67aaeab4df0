import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { assertValidResponse, esRequest } from '@dialogflow-functions/testing';
import { freePort, spawnFunction, waitForPort } from '@dialogflow-functions/testing/processes';
import { dataDir } from '@dialogflow-functions/dev/project';
import {
  copyInstalled,
  npmInstall,
  sharedMinimalProject,
} from '../../../test/support/installed-projects';
import { PROJECT, REPO } from './helpers/paths';

const run = promisify(execFile);

/*
 * What `dff deploy` uploads from this repository, built as Cloud Build builds it: the staged
 * copy (.data/deploy-source, the workspace packages packed into it) installed from its
 * package.json alone, `npm run gcp-build`, then served by functions-framework from the result.
 * It must answer like the function in the repository does.
 *
 * The install starts from the node_modules of the run's minimal project (the same framework
 * packages, from the same registry cache: sharedMinimalProject), as the restaurant scaffold's
 * does (copyInstalled): npm reconciles that tree to the upload's package.json (the upload's own
 * tarballs replace the run's, what the upload lacks is added, and what it does not ask for is
 * removed), so the upload builds and runs from what its package.json names and nothing else,
 * without extracting every package a second time (12 CPU-s of the run's ~245).
 */
describe('the deploy upload of a workspace project', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dff-upload-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('installs from its own package.json, builds with gcp-build, and answers a welcome', async () => {
    const staged = await run(
      process.execPath,
      [join(REPO, 'packages', 'dev', 'src', 'lib', 'deploy-source.js')],
      { cwd: PROJECT, encoding: 'utf8' },
    );
    // In .data/, or in this test worker's data folder (DFF_DATA_DIR: @dialogflow-functions/testing/setup).
    const source = dataDir('deploy-source');
    expect(staged.stdout.trim()).toBe(relative(PROJECT, source));
    expect(relative(PROJECT, source)).toMatch(/^\.data\/(test-worker-\w+\/)?deploy-source$/);
    const pkg = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      overrides: Record<string, string>;
    };
    expect(pkg.dependencies['@dialogflow-functions/core']).toMatch(/^file:\.packs\/.*\.tgz$/);
    expect(existsSync(join(source, 'test'))).toBe(false);

    // As Cloud Build: a folder with the upload only, its dependencies installed from it.
    cpSync(source, join(dir, 'upload'), { recursive: true });
    const upload = join(dir, 'upload');
    copyInstalled(await sharedMinimalProject(), upload, true);
    await npmInstall(upload);
    // Every package installed from a tarball came from the upload's own (.packs/, as its
    // overrides name them), none from the run's that the install started from: a seeded package
    // left in place would hide one the registry does not have, which Cloud Build's install would
    // fail on (tried: the upload without its cloud-tasks-emulator override fails here with E404).
    const lock = JSON.parse(readFileSync(join(upload, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { resolved?: string }>;
    };
    const tarballs = Object.values(pkg.overrides);
    const fromOtherTarballs = Object.entries(lock.packages)
      .filter(([, entry]) => entry.resolved?.startsWith('file:'))
      .filter(([, entry]) => !tarballs.includes(entry.resolved!))
      .map(([path, entry]) => `${path} ${entry.resolved}`);
    expect(fromOtherTarballs).toEqual([]);
    for (const [name, tarball] of Object.entries(pkg.overrides)) {
      expect(lock.packages[`node_modules/${name}`]?.resolved, name).toBe(tarball);
    }
    // Without the tests' DFF_PROJECT_DIR (this repository's example), as Cloud Build runs it.
    const { DFF_PROJECT_DIR: _project, ...buildEnv } = process.env;
    await run('npm', ['run', 'gcp-build'], {
      cwd: upload,
      encoding: 'utf8',
      env: buildEnv,
      timeout: 120_000,
    });
    expect(existsSync(join(upload, 'dist', 'index.js'))).toBe(true);
    // gcp-build bundles each function (`dff build`) and the entry loads the target's bundle.
    for (const file of ['main.js', 'bundle/webhook.js', 'bundle/worker.js']) {
      expect(existsSync(join(upload, 'dist', file)), file).toBe(true);
    }
    const loaded = await run(
      process.execPath,
      ['-e', "require('./dist/main.js'); console.log(JSON.stringify(Object.keys(require.cache)));"],
      {
        cwd: upload,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, FUNCTION_TARGET: 'webhook' },
      },
    );
    const modules = JSON.parse(loaded.stdout.trim().split('\n').pop()!) as string[];
    expect(modules.filter((m) => m.startsWith(join(upload, 'dist')))).toEqual([
      join(upload, 'dist', 'main.js'),
      join(upload, 'dist', 'bundle', 'webhook.js'),
    ]);

    const port = await freePort();
    const lines: string[] = [];
    const service = spawnFunction({
      source: upload,
      target: 'webhook',
      port,
      env: { PATH: process.env.PATH, NODE_ENV: 'production', WEBHOOK_AUTH: 'none' },
      onLine: (line) => lines.push(line),
    });
    try {
      await waitForPort('127.0.0.1', port, 30_000, service).catch((err: unknown) => {
        throw new Error(`${String(err)}\n${lines.join('\n')}`);
      });
      const res = await fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(esRequest({ name: 'Default Welcome Intent' })),
      });
      expect(res.status).toBe(200);
      const body: unknown = await res.json();
      assertValidResponse('es', body);
      expect(JSON.stringify(body)).toContain('Hi! I can check an order');
    } finally {
      await service.stop();
    }
  }, 420_000);
});
