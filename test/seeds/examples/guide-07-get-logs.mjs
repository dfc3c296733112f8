// Seed 002, the guide "Run background processes", "Monitor process logs" (accumulated) (JavaScript).
// --- Not in the seed: what the snippet takes as given. ---
import { Sandbox } from "sbx-compose";
const sandbox = new Sandbox();
const server = await sandbox.startProcess("node server.js");
await server.waitForLog("Server listening");
// --- The seed's code. ---
const logs = await sandbox.getProcessLogs(server.id);
console.log("Logs:", logs);
