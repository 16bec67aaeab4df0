'use strict';
const { relative } = require('node:path');
const { parseArgs } = require('node:util');
const { create, EDITIONS, TEMPLATES } = require('./create');

const USAGE = `usage: npm create dialogflow-functions@latest DIR [-- --template ${TEMPLATES.join('|')}] [--edition ${EDITIONS.join('|')}]`;

/** `create-dialogflow-functions DIR [--template …] [--edition …]`; returns the exit code. */
function main(argv, options = {}) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        template: { type: 'string', short: 't', default: 'minimal' },
        edition: { type: 'string', short: 'e', default: 'both' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    console.error(`${err.message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    console.error(`Name the new project's folder.\n${USAGE}`);
    return 2;
  }
  let made;
  try {
    made = create({
      dir: positionals[0],
      template: values.template,
      edition: values.edition,
      packs: options.packs,
    });
  } catch (err) {
    console.error(`${err.message}\n${USAGE}`);
    return 2;
  }
  const where = relative(process.cwd(), made.dir) || '.';
  console.log(`Made ${made.name} in ${where} (${values.template}, ${values.edition}): ${made.files.length} files.

Next:
  cd ${where}
  npm install
  npm start     # the local stack: emulators, webhook, worker, Dialogflow stand-in, dev console
  npm test      # type check, tests, conversations`);
  return 0;
}

module.exports = { main, USAGE };
