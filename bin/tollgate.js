#!/usr/bin/env node
// Entry point for the `tollgate` command (package.json "bin"). Runs the compiled CLI; `npm run build` makes it.
import('../dist/src/cli/main.js');
