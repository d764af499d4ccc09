#!/usr/bin/env node
// Package bin: the operator CLI (compiled). `npm run cli -- <command>` does the same from a checkout.
require('../dist/src/cli.js');
