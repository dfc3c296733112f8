// Seed 000, the summary of the background-process API: a dev server with hot reload, exposed (TypeScript).
// --- Not in the seed: what the snippet takes as given. ---
import { Sandbox } from 'sbx-compose';
const sandbox = new Sandbox();
// --- The seed's code. ---
// Start dev server with hot reload
const server = await sandbox.startProcess(
  'npm run dev', { processId: 'dev-server' });
// Wait for it to be ready
await server.waitForLog('Local: http');
// Expose the port
await sandbox.exposePort(5173);
// --- Not in the seed: what the test reads back. ---
console.log(server.id, (await sandbox.getExposedPorts()).map(p => p.url).join(' '));
