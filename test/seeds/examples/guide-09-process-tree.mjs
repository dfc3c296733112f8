// Seed 002, the guide "Run background processes", "Stop processes" (a whole tree); process1, process2 and process3 are the project's bin/ scripts (JavaScript).
// --- Not in the seed: what the snippet takes as given. ---
import { Sandbox } from "sbx-compose";
const sandbox = new Sandbox();
// --- The seed's code. ---
// This script spawns multiple child processes
const batch = await sandbox.startProcess(
  'bash -c "process1 & process2 & process3 & wait"',
);


// killProcess() terminates the bash process AND all three child processes
await sandbox.killProcess(batch.id);
// --- Not in the seed: what the test reads back. ---
console.log("batch:", await batch.getStatus());
