// Seed 000, the summary of the background-process API: a log line with a capture group (TypeScript).
// --- Not in the seed: what the snippet takes as given. ---
import { Sandbox } from 'sbx-compose';
const sandbox = new Sandbox();
// --- The seed's code. ---
const server = await sandbox.startProcess(
  'node server.js');
// Wait for "Server listening" message
const result = await server.waitForLog(/Server listening on port (\d+)/);
console.log('Found:', result.line);
console.log('Port:', result.match?.[1]);
