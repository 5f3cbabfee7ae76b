#!/usr/bin/env node
// The CLI's installed entry: the bundle built by `npm run build` (run by `npm install` through `prepare`).
require('../dist/cli.js');
