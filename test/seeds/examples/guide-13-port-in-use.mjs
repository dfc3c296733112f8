// Seed 002, the guide "Run background processes", "Troubleshooting: Port already in use" (JavaScript).
// --- Not in the seed: what the snippet takes as given. ---
import { Sandbox } from "sbx-compose";
const sandbox = new Sandbox();
await (await sandbox.startProcess("node server.js")).waitForPort(3000);
// --- The seed's code. ---
await sandbox.killAllProcesses();
const server = await sandbox.startProcess("node server.js");
// --- Not in the seed: what the test reads back. ---
await server.waitForPort(3000);
console.log((await server.waitForLog("Server listening")).line);
