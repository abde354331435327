#!/usr/bin/env node
// Committed shim so npm can link the command before the TypeScript is built.
require('../dist/cli.js');
