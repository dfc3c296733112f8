// Seed 000, the summary of the background-process API: every option of startProcess; `cwd` relative, as the container's /workspace is here (TypeScript).
// --- Not in the seed: what the snippet takes as given. ---
import { Sandbox } from 'sbx-compose';
const sandbox = new Sandbox();
// --- The seed's code. ---
const process = await sandbox.startProcess('node server.js', {
  processId: 'web-server', // Custom ID for later reference
  cwd: 'workspace/app', // Working directory (was: '/workspace/app')
  env: { PORT: '8000', NODE_ENV: 'production' },
  timeout: 300000, // Kill after 5 minutes
  autoCleanup: false // Keep process record after exit
});
// --- Not in the seed: what the test reads back. ---
await process.waitForPort(8000);
console.log(process.id, (await process.waitForLog('app: ')).line);
