#!/usr/bin/env node
// The sbx command (bin/sbx runs it): the bundled CLI, its parsing skipped through the V8 code
// caches the build made.
import codeCache = require("./perf/code-cache.cjs");
import supervisorFlags = require("./perf/supervisor-flags.cjs");

// The background supervisor runs under V8 flags of its own, and has caches of its own made under them.
codeCache.useCodeCaches(__dirname, process.argv[2] === "__supervise" ? supervisorFlags.SUPERVISOR_CACHE : undefined);
require("./cli.cjs");
