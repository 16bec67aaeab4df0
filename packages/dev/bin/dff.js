#!/usr/bin/env node
'use strict';
// The `dff` CLI. Its sources (and the project's bot.ts) are TypeScript, run through tsx.
require('tsx/cjs');
require('../src/cli.ts');
