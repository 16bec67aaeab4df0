/*
 * `npm run build:widget` (part of `npm run build`): packages/core/widget/src →
 * packages/core/dist/widget/dialogflow-chat.js (one minified script, no dependencies), which
 * ships in the core package as `@dialogflow-functions/core/widget`. Typechecked first (with
 * the DOM's types: its own tsconfig), then its gzipped size measured against the budget: the
 * build fails when the widget grows past it. The sample page of `dff start`
 * (packages/dev/src/lib/chat-page.ts) builds it the same way, in memory.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** What one script tag may cost a page, gzipped. */
export const WIDGET_BUDGET_GZIP_BYTES = 8 * 1024;

const DIR = __dirname;
/** Where the built script goes: inside the core package's dist/, so it is published. */
const OUT = join(DIR, '..', 'dist', 'widget');

export interface WidgetBuild {
  code: string;
  bytes: number;
  gzipBytes: number;
  budget: number;
}

/** Bundles and minifies the widget in memory and measures it. */
export async function buildWidget(): Promise<WidgetBuild> {
  const result = await build({
    entryPoints: [join(DIR, 'src', 'dialogflow-chat.ts')],
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    write: false,
    logLevel: 'warning',
    tsconfig: join(DIR, 'tsconfig.json'),
  });
  const code = result.outputFiles[0]!.text;
  return {
    code,
    bytes: Buffer.byteLength(code),
    gzipBytes: gzipSync(code, { level: 9 }).length,
    budget: WIDGET_BUDGET_GZIP_BYTES,
  };
}

async function main(): Promise<number> {
  // tsgo, the repository's type checker (`npm run typecheck`): 0.2 against 1.0 CPU-s here, in
  // the build's one serial chain; esbuild emits the script, so no declaration is involved.
  execFileSync(
    join(DIR, '..', '..', '..', 'node_modules', '.bin', 'tsgo'),
    [
      '-p',
      join(DIR, 'tsconfig.json'),
      // Incremental, as the repository's type check (.cache/): a build that changed nothing of
      // the widget checks nothing again (1.0 -> 0.2 CPU-s); its errors are reported every time.
      '--incremental',
      '--tsBuildInfoFile',
      join(DIR, '..', '..', '..', '.cache', 'widget.tsbuildinfo'),
    ],
    {
      stdio: 'inherit',
    },
  );
  const built = await buildWidget();
  mkdirSync(OUT, { recursive: true });
  // Only when it changed, and whole (renamed into place): a page serving it meanwhile (a test's
  // stack) never reads it half written.
  const file = join(OUT, 'dialogflow-chat.js');
  if (!existsSync(file) || readFileSync(file, 'utf8') !== built.code) {
    writeFileSync(`${file}.${process.pid}.tmp`, built.code);
    renameSync(`${file}.${process.pid}.tmp`, file);
  }
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(
    `packages/core/dist/widget/dialogflow-chat.js: ${kib(built.bytes)} minified, ${kib(built.gzipBytes)} gzipped (budget ${kib(built.budget)})`,
  );
  if (built.gzipBytes > built.budget) {
    console.error(`The widget is over its size budget by ${built.gzipBytes - built.budget} bytes.`);
    return 1;
  }
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
