// Seed 002, the guide "Run background processes", "Wait for process readiness" (a port) (JavaScript).
// --- Not in the seed: what the snippet takes as given. ---
import { Sandbox } from "sbx-compose";
const sandbox = new Sandbox();
// --- The seed's code. ---
const server = await sandbox.startProcess("node server.js");


// Wait for server to respond on port 3000
await server.waitForPort(3000);


console.log("Server is ready");
// --- Not in the seed: what the test reads back. ---
console.log("GET / answers", (await fetch("http://localhost:3000/")).status);
