import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generator, lineCount, tempDir } from './helpers/project';

/*
 * The generator on its own (no install): what a project holds for each template and edition,
 * that it names the framework's packages instead of copying them, and the minimal template's
 * size. The scaffold tests install and run what it makes.
 */

const REPO = join(__dirname, '..', '..', '..');
const temp = tempDir('create');
afterAll(() => temp.cleanup());

let n = 0;
const make = (template: string, edition: string) =>
  generator.create({
    dir: join(temp.dir, `${template}-${edition}-${++n}`, 'my-bot'),
    template,
    edition,
  });
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- package.json files, read to compare
const json = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>;

describe('a minimal project', () => {
  const project = make('minimal', 'both');

  it('holds the bot, the sources of its agent, conversations, tests, CI and deploy', () => {
    for (const file of [
      'package.json',
      'bot.ts',
      'index.ts',
      'src/intents/index.ts',
      'src/intents/welcome.ts',
      'src/intents/fallback.ts',
      'src/intents/order-coffee.ts',
      'src/jobs/index.ts',
      'src/jobs/brew.ts',
      'src/messages/index.ts',
      'agent/agent.yaml',
      'agent/intents/welcome.yaml',
      'agent/intents/fallback.yaml',
      'agent/intents/order_coffee.yaml',
      'conversations/coffee.yaml',
      'test/intents.test.ts',
      'test/jobs.test.ts',
      'vitest.config.mts',
      'tsconfig.json',
      'tsconfig.build.json',
      '.github/workflows/ci.yml',
      '.github/workflows/deploy.yml',
      '.gcloudignore',
      '.gitignore',
      'README.md',
    ]) {
      expect(project.files, file).toContain(file);
    }
    expect(project.name).toBe('my-bot');
    expect(project.files.filter((f) => f.startsWith('_'))).toEqual([]);
  });

  it('depends on the framework (core; testing and dev for development) and runs dff and vitest', () => {
    const pkg = json(join(project.dir, 'package.json'));
    const version = generator.frameworkVersion();
    expect(pkg.dependencies['@dialogflow-functions/core']).toBe(`^${version}`);
    expect(pkg.devDependencies['@dialogflow-functions/testing']).toBe(`^${version}`);
    expect(pkg.devDependencies['@dialogflow-functions/dev']).toBe(`^${version}`);
    expect(pkg.main).toBe('dist/main.js');
    expect(pkg.scripts.start).toBe('exec dff start');
    expect(pkg.scripts.test).toBe(
      'tsc --noEmit -p tsconfig.json --incremental --tsBuildInfoFile node_modules/.cache/tsc/typecheck.tsbuildinfo && vitest run && dff converse',
    );
    expect(pkg.scripts.deploy).toBe('dff deploy');
    expect(pkg.scripts.build).toBe('dff build');
    expect(pkg.scripts['gcp-build']).toMatch(/^dff build && /);
    expect(pkg.overrides).toBeUndefined();
  });

  it('holds no copy of the framework and no template placeholder', () => {
    for (const file of project.files) {
      const text = readFileSync(join(project.dir, file), 'utf8');
      expect(text, file).not.toMatch(/\{\{\w+\}\}/);
      expect(text, file).not.toMatch(/from '\.\.\/\.\.\/\.\.|packages\/core\/src/);
    }
    expect(readFileSync(join(project.dir, 'bot.ts'), 'utf8')).toContain("name: 'my-bot'");
  });

  it('is at most 1,500 lines of its own code and config, agent sources included', () => {
    const lines = project.files.map((f) => [f, lineCount(join(project.dir, f))] as const);
    const total = lines.reduce((sum, [, count]) => sum + count, 0);
    console.log(`minimal template: ${project.files.length} files, ${total} lines`);
    expect(total).toBeLessThanOrEqual(1500);
  });

  it('pins every action of its workflows to a full commit SHA', () => {
    for (const file of ['.github/workflows/ci.yml', '.github/workflows/deploy.yml']) {
      const uses = [...readFileSync(join(project.dir, file), 'utf8').matchAll(/uses:\s*(\S+)/g)]
        .map((m) => m[1]!)
        .filter((u) => !u.startsWith('./'));
      expect(uses.length, file).toBeGreaterThan(0);
      for (const u of uses) expect(u, file).toMatch(/@[0-9a-f]{40}$/);
    }
    const deploy = readFileSync(join(project.dir, '.github/workflows/deploy.yml'), 'utf8');
    expect(deploy).toMatch(/workload_identity_provider:/);
    expect(deploy).toMatch(/id-token: write/);
  });
});

describe('editions', () => {
  it.each(['es', 'cx'])(
    '%s: the conversations run against that edition (the agent sources make both exports)',
    (edition) => {
      const project = make('minimal', edition);
      expect(json(join(project.dir, 'package.json')).scripts.test).toMatch(
        new RegExp(`dff converse --edition ${edition}$`),
      );
      expect(project.files).toContain('agent/agent.yaml');
    },
  );
});

describe('the restaurant template', () => {
  it("is examples/restaurant's bot, agent, conversations and self-contained tests", () => {
    const project = make('restaurant', 'both');
    const example = join(REPO, 'examples', 'restaurant');
    for (const file of [
      'bot.ts',
      'index.ts',
      'src/intents/index.ts',
      'local/index.ts',
      'test/config.test.ts',
    ]) {
      expect(readFileSync(join(project.dir, file), 'utf8'), file).toBe(
        readFileSync(join(example, file), 'utf8'),
      );
    }
    const pkg = json(join(project.dir, 'package.json'));
    expect(Object.keys(pkg.dependencies).sort()).toEqual([
      '@dialogflow-functions/core',
      'mysql2',
      'zod',
    ]);
    expect(project.files).toContain('agent/intents/check_order.yaml');
  });
});

describe('the generator', () => {
  it('names the same versions the repository uses', () => {
    const root = json(join(REPO, 'package.json'));
    const core = json(join(REPO, 'packages', 'core', 'package.json'));
    const restaurant = json(join(REPO, 'examples', 'restaurant', 'package.json'));
    expect(generator.VERSIONS.zod).toBe(core.dependencies.zod);
    expect(generator.VERSIONS.mysql2).toBe(restaurant.dependencies.mysql2);
    for (const name of ['typescript', 'vitest', '@types/node']) {
      expect(generator.VERSIONS[name], name).toBe(root.devDependencies[name]);
    }
    for (const dir of ['core', 'testing', 'dev', 'cloud-tasks-emulator']) {
      expect(json(join(REPO, 'packages', dir, 'package.json')).version).toBe(
        generator.frameworkVersion(),
      );
    }
  });

  it('refuses an unknown template or edition and a folder that is not empty', () => {
    expect(() => make('huge', 'both')).toThrow(/--template must be one of minimal, restaurant/);
    expect(() => make('minimal', 'dx')).toThrow(/--edition must be one of es, cx, both/);
    const dir = join(temp.dir, 'taken');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    expect(() => generator.create({ dir })).toThrow(/is not empty/);
    expect(existsSync(join(dir, 'package.json'))).toBe(false);
  });
});
