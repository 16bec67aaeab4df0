/*
 * `npm run build`, after tsc: each function's code as one file, dist/bundle/{webhook,worker}.js,
 * which the deployed entry (dist/index.js) loads. A cold start then reads one file instead of
 * resolving and reading about 150 (the package's modules and zod's); with Node's compile cache
 * (shared/compile-cache.ts) that file is not even compiled again. Measured on Node 22: the
 * webhook's own load went from about 100 ms to about 45 ms (README, Performance).
 *
 * Bundled: the package's code and zod. Left to node_modules: every other dependency (the
 * Google clients, loaded lazily on first use, functions-framework, whose registry the function
 * joins, nodemailer, mysql2, ...). Each bundle's inputs are written beside it
 * (`*.meta.json`), and test/deployed.test.ts checks the webhook's holds no worker code.
 */
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Self-contained (Cloud Build runs it from the uploaded sources in `gcp-build`). */
const ROOT = join(__dirname, '..');
const OUT = join(ROOT, 'dist', 'bundle');
/** Inlined into the bundles; every other runtime dependency stays external. */
const BUNDLED = new Set(['zod']);

async function main(): Promise<void> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const external = Object.keys(pkg.dependencies).filter((name) => !BUNDLED.has(name));
  for (const fn of ['webhook', 'worker']) {
    const result = await build({
      entryPoints: [join(ROOT, 'functions', fn, 'index.ts')],
      outfile: join(OUT, `${fn}.js`),
      absWorkingDir: ROOT,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      // zod's ES modules, so what the code never uses can be left out.
      mainFields: ['module', 'main'],
      external: external.flatMap((name) => [name, `${name}/*`]),
      minifySyntax: true,
      minifyWhitespace: true,
      sourcemap: 'linked',
      metafile: true,
      logLevel: 'warning',
      tsconfig: join(ROOT, 'tsconfig.build.json'),
    });
    writeFileSync(join(OUT, `${fn}.meta.json`), JSON.stringify(result.metafile));
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
