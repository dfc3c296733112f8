// Seed 002, the guide "Run background processes", "Stop processes" (JavaScript).
// --- Not in the seed: what the snippet takes as given. ---
import { Sandbox } from "sbx-compose";
const sandbox = new Sandbox();
const server = await sandbox.startProcess("node server.js");
await server.waitForPort(3000);
await sandbox.startProcess("node db.js");
// --- The seed's code. ---
// Stop specific process (terminates entire process tree)
await sandbox.killProcess(server.id);


// Force kill if needed
await sandbox.killProcess(server.id, "SIGKILL");


// Stop all processes
await sandbox.killAllProcesses();
// --- Not in the seed: what the test reads back. ---
for (const proc of await sandbox.listProcesses()) console.log(`${proc.command}: ${proc.status}`);
