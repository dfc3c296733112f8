#!/usr/bin/env node
// The sbx command (bin/sbx runs it): the bundled CLI, its parsing skipped through the V8 code
// caches the build made.
import codeCache = require("./perf/code-cache.cjs");

codeCache.useCodeCaches(__dirname);
require("./cli.cjs");
