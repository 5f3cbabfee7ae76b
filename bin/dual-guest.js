#!/usr/bin/env node
// The CLI's installed entry: the bundle built by `npm run build` (run by `npm install` through `prepare`).
// The bundle runs by itself only when it is the main module, so the bin starts it explicitly.
require('../dist/cli.js').runAsProcess(process.argv.slice(2));
