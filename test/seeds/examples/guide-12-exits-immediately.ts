// Seed 002, the guide "Run background processes", "Troubleshooting: Process exits immediately"; server.js finds its port taken here (TypeScript).
// --- Not in the seed: what the snippet takes as given. ---
import { Sandbox } from 'sbx-compose';
import { createServer } from 'node:net';
const sandbox = new Sandbox();
await new Promise<void>(resolve => createServer().listen(3000, resolve).unref());
// --- The seed's code. ---
const process = await sandbox.startProcess('node server.js');
await new Promise(resolve => setTimeout(resolve, 1000));


const processes = await sandbox.listProcesses();
if (!processes.find(p => p.id === process.id)) {
  const logs = await sandbox.getProcessLogs(process.id);
  console.error('Process exited:', logs);
}
// --- Not in the seed: what the test reads back. ---
console.log('status:', process.status, 'exit code:', process.exitCode);
console.log((await sandbox.getProcessLogs(process.id)).stderr.includes('EADDRINUSE') ? 'EADDRINUSE' : 'no error');
