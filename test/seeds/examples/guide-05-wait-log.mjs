// Seed 002, the guide "Run background processes", "Wait for process readiness" (a log line) (JavaScript).
// --- Not in the seed: what the snippet takes as given. ---
import { Sandbox } from "sbx-compose";
const sandbox = new Sandbox();
// --- The seed's code. ---
const server = await sandbox.startProcess("node server.js");


// Wait for log message
const result = await server.waitForLog("Server listening");
console.log("Server is ready:", result.line);
