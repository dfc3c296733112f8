// Seed 002, the guide "Run background processes", "Monitor process status" (TypeScript).
// --- Not in the seed: what the snippet takes as given. ---
import { Sandbox } from 'sbx-compose';
const sandbox = new Sandbox();
const processId = (await sandbox.startProcess('node server.js')).id;
// --- The seed's code. ---
const processes = await sandbox.listProcesses();


console.log(`Running ${processes.length} processes:`);


for (const proc of processes) {
  console.log(`${proc.id}: ${proc.command} (${proc.status})`);
}


// Check if specific process is running
const isRunning = processes.some(p => p.id === processId && p.status === 'running');
// --- Not in the seed: what the test reads back. ---
console.log('isRunning:', isRunning);
