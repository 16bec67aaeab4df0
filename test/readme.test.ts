import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
/** The repository root. */
const ROOT = join(__dirname, '..');

/*
 * The README is the front door and docs/ the rest of the house: their worked examples are the
 * files the test suite compiles and runs, the README's tables name every npm script and every
 * configuration variable, every link and every repository path they name resolves, and the
 * README stays short (one page per topic under docs/ instead).
 */
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const readme = read('README.md');
const docs = readdirSync(join(ROOT, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => `docs/${f}`);
const packageReadmes = readdirSync(join(ROOT, 'packages')).map((p) => `packages/${p}/README.md`);
/** Every markdown page this test keeps honest. */
const pages = [
  'README.md',
  ...docs,
  ...packageReadmes,
  'examples/restaurant/README.md',
  '.changeset/README.md',
];
const REPOSITORY = 'https://github.com/dialogflow-functions/dialogflow-functions/blob/main/';

/** The variables of DESIGN.md's "Contract: configuration" (users and deploy scripts rely on them). */
const CONTRACT_VARIABLES = [
  'GOOGLE_CLOUD_PROJECT',
  'WEBHOOK_PORT',
  'WORKER_PORT',
  'DEV_CONSOLE_PORT',
  'FIRESTORE_EMULATOR_HOST',
  'FIRESTORE_EMULATOR_JAR',
  'CLOUD_TASKS_EMULATOR_HOST',
  'TASKS_LOCATION',
  'TASKS_QUEUE',
  'WORKER_URL',
  'TASKS_SERVICE_ACCOUNT',
  'WEBHOOK_DEADLINE_MS',
  'WEATHER_API_BASE_URL',
  'WEATHER_API_KEY',
  'LINE_API_BASE_URL',
  'LINE_CHANNEL_ACCESS_TOKEN',
  'SLACK_WEBHOOK_URL',
  'SMTP_URL',
  'NOTIFY_EMAIL_FROM',
  'NOTIFY_WEBHOOK_URL',
  'NOTIFY_WEBHOOK_SECRET',
  'WEBHOOK_BASIC_AUTH',
  'WEBHOOK_TOKEN',
  'WEBHOOK_TOKEN_HEADER',
  'WEBHOOK_OIDC_AUDIENCE',
  'WEBHOOK_OIDC_EMAILS',
  'WEBHOOK_AUTH',
  'WORKER_OIDC_AUDIENCE',
  'WORKER_AUTH',
  'RESERVATION_SLOT_CAPACITY',
  'WATCH_ORDER_CHECK_SECONDS',
  'DIALOGFLOW_STAND_IN_PORT',
  'CHAT_PORT',
  'CHAT_PAGE_PORT',
  'CHAT_ALLOWED_ORIGINS',
  'CHAT_SESSION_SECRET',
  'CLOUD_TASKS_EMULATOR_PORT',
  'DIALOGFLOW_AGENT',
  'DIALOGFLOW_EMULATOR_HOST',
  'INVENTORY_SOURCE',
  'MYSQL_URL',
  'NODE_ENV',
];

/** The variables a zod object schema starting at `marker` in `file` reads (its top-level keys). */
function schemaVariables(file: string, marker: string): string[] {
  const source = read(file);
  const start = source.indexOf(marker);
  expect(start, `${marker} in ${file}`).toBeGreaterThan(-1);
  const end = source.indexOf('\n})', start);
  return [...source.slice(start, end).matchAll(/^ {2,4}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!);
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .replace(/`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of a markdown file's headings (outside code blocks), duplicates numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let code = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) code = !code;
    const heading = !code && /^#{1,6} (.+)$/.exec(line);
    if (!heading) continue;
    const base = slug(heading[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Markdown text without its fenced code blocks (links and paths in code are examples). */
const prose = (markdown: string) => markdown.replace(/^```[\s\S]*?^```/gm, '');

describe('the README', () => {
  it('stays at most 300 lines: the rest is one page per topic under docs/', () => {
    expect(readme.trimEnd().split('\n').length).toBeLessThanOrEqual(300);
    // Every page of docs/ is reachable from it.
    const linked = [...readme.matchAll(/\]\((docs\/[^)#\s]+\.md)(#[^)]*)?\)/g)].map((m) => m[1]);
    expect(
      docs.filter((page) => !linked.includes(page)),
      "pages to link from the README's Documentation list",
    ).toEqual([]);
    for (const p of [...packageReadmes, 'examples/restaurant/README.md']) {
      expect(readme, p).toContain(`](${p})`);
    }
  });

  it('shows the quick starts: npm create, and the repository test command CI runs', () => {
    expect(readme).toContain('npm create dialogflow-functions@latest my-bot');
    expect(readme).toContain('npm ci && npm start');
    // The README's test command is exactly what .ci/run (what CI runs) ends with.
    const ciRun = read('.ci/run').trim().split('\n');
    expect(ciRun.slice(-2).map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual([
      'npm ci',
      'npm test',
    ]);
    expect(readme).toContain('npm ci && npm test');
  });

  it('lists every npm script of the root package', () => {
    const scripts = Object.keys(
      (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts,
    );
    expect(scripts.length).toBeGreaterThan(20);
    const missing = scripts.filter(
      (name) => !readme.includes(`npm run ${name}`) && !readme.includes(`npm ${name}`),
    );
    expect(missing).toEqual([]);
  });

  it("documents every configuration variable: the contract's, core's and the restaurant's", () => {
    const core = schemaVariables('packages/core/src/config.ts', 'const EnvSchema');
    const restaurant = schemaVariables(
      'examples/restaurant/src/env.ts',
      'export const restaurantEnv',
    );
    expect(core.length).toBeGreaterThan(20);
    expect(restaurant).toEqual(expect.arrayContaining(['WEATHER_API_KEY', 'MYSQL_URL']));
    const table = readme.slice(readme.indexOf('## Configuration'));
    const all = [...new Set([...CONTRACT_VARIABLES, ...core, ...restaurant])];
    expect(all.filter((v) => !new RegExp(`\\b${v}\\b`).test(table))).toEqual([]);
  });
});

describe('the worked examples', () => {
  const shown = ['README.md', ...docs].flatMap((page) =>
    [...read(page).matchAll(/<!-- example: (\S+) -->\n+```ts\n([\s\S]*?)\n```/g)].map(
      (m) => [page, m[1]!, m[2]!] as const,
    ),
  );

  it('are an intent (in the README), its test and a job type', () => {
    expect(shown.filter(([page]) => page === 'README.md').map(([, file]) => file)).toContain(
      'examples/restaurant/test/examples/opening-hours.ts',
    );
    expect(shown.map(([, file]) => file)).toEqual(
      expect.arrayContaining([
        'examples/restaurant/test/examples/opening-hours.ts',
        'examples/restaurant/test/examples/opening-hours.test.ts',
        'examples/restaurant/test/examples/tally-job.ts',
      ]),
    );
  });

  it.each(shown.map(([page, file, code]) => [file, page, code]))(
    'shows %s exactly as it is compiled and tested (%s)',
    (file, _page, code) => {
      expect(code.trim()).toBe(read(file).trim());
    },
  );
});

describe.each(pages)('%s', (page) => {
  const text = read(page);
  const dir = dirname(join(ROOT, page));

  it('exists, and a published package ships it', () => {
    expect(text.length).toBeGreaterThan(200);
    const pkg = join(dir, 'package.json');
    if (page.startsWith('packages/') && existsSync(pkg)) {
      expect((JSON.parse(readFileSync(pkg, 'utf8')) as { files?: string[] }).files).toContain(
        'README.md',
      );
    }
  });

  it('links only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const [, target] of prose(text).matchAll(/\]\(([^)\s]+)\)/g)) {
      let ref = target!;
      if (ref.startsWith(REPOSITORY)) ref = join(ROOT, ref.slice(REPOSITORY.length));
      else if (/^[a-z]+:/i.test(ref)) continue; // another site
      else ref = ref.startsWith('#') ? join(ROOT, page) + ref : join(dir, ref);
      const [file, anchor] = ref.split('#') as [string, string | undefined];
      if (!existsSync(file)) {
        broken.push(`${target}: no ${relative(ROOT, file)}`);
        continue;
      }
      if (anchor !== undefined && statSync(file).isFile() && file.endsWith('.md')) {
        if (!anchors(readFileSync(file, 'utf8')).has(anchor)) broken.push(`${target}: no heading`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('names only repository paths that exist (none from before the move into workspaces)', () => {
    const paths = [
      ...prose(text).matchAll(
        /`((?:packages|examples|docs|test|\.github|\.ci|\.changeset)\/[^`\s]*)`/g,
      ),
    ]
      .map((m) => m[1]!)
      .filter((p) => !/[*<>…]/.test(p) && !/(^|\/)(dist|\.data)(\/|$)/.test(p)); // built, not kept
    // From the root, or from the page's folder (a package's README names its own files).
    const missing = paths.filter((p) => !existsSync(join(ROOT, p)) && !existsSync(join(dir, p)));
    expect(missing, 'paths named in backticks that do not exist (moved?)').toEqual([]);
    // The folders of the old layout, unless the page's own folder has one (the restaurant's scripts/).
    const stale = [
      ...prose(text).matchAll(/`((?:shared|functions|demo|scripts|testing)\/[^`\s]*)`/g),
    ]
      .map((m) => m[1]!)
      .filter((p) => !existsSync(join(dir, p.replace(/[*<].*$/, ''))));
    expect(stale, 'paths of the layout before the workspaces').toEqual([]);
  });
});
