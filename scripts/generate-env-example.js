#!/usr/bin/env node
// Writes .env.example from the compiled AppConfig (run `npm run build` first; `npm run env:example` does).
require('reflect-metadata');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { renderEnvExample } = require('../dist/src/platform/config/env-example');

writeFileSync(join(__dirname, '..', '.env.example'), renderEnvExample());
process.stdout.write('.env.example written\n');
