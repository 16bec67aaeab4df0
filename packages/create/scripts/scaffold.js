'use strict';
/*
 * `npm run scaffold -- DIR [--template minimal|restaurant] [--edition es|cx|both]` (at the
 * repository's root): what `npm create dialogflow-functions` makes, depending on the tarballs of
 * `npm run pack` (.packs/, or PACKS_DIR) instead of the registry.
 */
const { existsSync, readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { main } = require('../lib/cli');
const { PACKAGES } = require('../lib/create');
const { ROOT, tarballName } = require('./pack');

const dir = resolve(process.env.PACKS_DIR || join(ROOT, '.packs'));
const packs = {};
for (const name of Object.values(PACKAGES)) {
  const folder = {
    '@dialogflow-functions/core': 'core',
    '@dialogflow-functions/testing': 'testing',
    '@dialogflow-functions/dev': 'dev',
    'cloud-tasks-emulator': 'cloud-tasks-emulator',
  }[name];
  const { version } = JSON.parse(
    readFileSync(join(ROOT, 'packages', folder, 'package.json'), 'utf8'),
  );
  const file = join(dir, tarballName(name, version));
  if (!existsSync(file)) {
    console.error(`${file} is missing: run npm run pack first.`);
    process.exit(2);
  }
  packs[name] = file;
}
process.exitCode = main(process.argv.slice(2), { packs });
