// Seed 000, the summary of the background-process API: a build, its status, its end (TypeScript).
// --- Not in the seed: what the snippet takes as given. ---
import { Sandbox } from 'sbx-compose';
const sandbox = new Sandbox();
// --- The seed's code. ---
const process = await sandbox.startProcess('npm run build');
// Check current status
const status = await process.getStatus();
console.log(`Process is ${status}`);
// Wait for completion
const result = await process.waitForExit();
console.log(`Process exited with code ${result.exitCode}`);
