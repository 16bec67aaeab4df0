'use strict';
// prepack: the restaurant template is examples/restaurant's files, copied into the package
// (templates/restaurant) while it is packed; postpack (`--remove`) deletes the copy.
const { cpSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const { RESTAURANT_FILES } = require('../lib/create');

const to = join(__dirname, '..', 'templates', 'restaurant');
rmSync(to, { recursive: true, force: true });
if (!process.argv.includes('--remove')) {
  const from = join(__dirname, '..', '..', '..', 'examples', 'restaurant');
  for (const file of RESTAURANT_FILES) {
    cpSync(join(from, file), join(to, file), {
      recursive: true,
      filter: (src) => !/[\\/](node_modules|dist|\.compile-fixtures)$/.test(src),
    });
  }
}
