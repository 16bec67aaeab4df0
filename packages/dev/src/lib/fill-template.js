#!/usr/bin/env node
/**
 * Prints a YAML template with every `${NAME}` replaced by the environment variable NAME as a
 * JSON string (a valid YAML scalar whatever it contains). Stops, naming it, when one is unset.
 * Used by scripts/deploy.sh --with-alerts for monitoring/*.channel.yaml; the output goes to
 * gcloud on stdin, so values such as a Slack token are never in a command line.
 *
 * Usage: node scripts/lib/fill-template.js FILE
 */
/* global process */ // (a node global)
const { readFileSync } = require('node:fs');

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node scripts/lib/fill-template.js FILE\n');
  process.exit(2);
}
const text = readFileSync(file, 'utf8')
  .split('\n')
  .filter((line) => !line.startsWith('#'))
  .join('\n');
const filled = text.replace(/\$\{([A-Z][A-Z0-9_]*)\}/g, (_, name) => {
  const value = process.env[name];
  if (value === undefined || value === '') {
    process.stderr.write(`${file}: ${name} is not set\n`);
    process.exit(1);
  }
  return JSON.stringify(value);
});
process.stdout.write(filled);
