#!/usr/bin/env node
'use strict';
// `npm create dialogflow-functions@latest DIR [--template minimal|restaurant] [--edition es|cx|both]`
process.exitCode = require('../lib/cli').main(process.argv.slice(2));
