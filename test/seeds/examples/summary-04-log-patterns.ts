// Seed 000, the summary of the background-process API: string and pattern waits, with a timeout (TypeScript).
// --- Not in the seed: what the snippet takes as given. ---
import { Sandbox } from 'sbx-compose';
const sandbox = new Sandbox();
const process = await sandbox.startProcess('node db.js');
// --- The seed's code. ---
// Simple string match
await process.waitForLog('Ready to accept connections');
// Regex with capture groups
const result = await process.waitForLog(
  /Database initialized in (\d+)ms/);
console.log(`Init time: ${result.match?.[1]}ms`);
// With timeout
try {
  await process.waitForLog('Started', 10000);
} catch (error) {
  console.error('Process did not start within 10 seconds');
}
// --- Not in the seed: what the test reads back. ---
try {
  await process.waitForLog('Never printed', 300);
} catch (error) {
  console.log('Timed out as expected:', (error as Error).name);
}
