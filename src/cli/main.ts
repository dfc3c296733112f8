#!/usr/bin/env node
import { processIo } from "./io.js";
import { runCli } from "./program.js";
import { restoreCaCerts } from "./extra-ca-certs.js";

restoreCaCerts();

// A reader that goes away (`sbx logs -f | head`) is no crash: a command that supervises
// services tears them down as on SIGTERM; any other simply ends.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  if (process.listenerCount("SIGTERM") > 0) process.emit("SIGTERM", "SIGTERM");
  else process.exit(0);
});

// No top-level await: the bundle is CommonJS.
void runCli(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
