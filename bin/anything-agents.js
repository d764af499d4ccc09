#!/usr/bin/env node
// Package bin of the operator CLI; runs the compiled entry (build first: `npm run build`).
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const entry = join(__dirname, '..', 'dist', 'src', 'cli.js');
if (!existsSync(entry)) {
  process.stderr.write('error: the CLI is not built; run `npm run build` first\n');
  process.exit(1);
}
require(entry);
