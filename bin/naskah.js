#!/usr/bin/env node
// The operators' CLI. TypeScript runs through tsx, as the server does.
require('tsx/cjs');
require('../cli/index.ts');
