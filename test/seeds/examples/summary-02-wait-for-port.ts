// Seed 000, the summary of the background-process API: a server, its port, exposed (TypeScript).
// --- Not in the seed: what the snippet takes as given. ---
import { Sandbox } from 'sbx-compose';
const sandbox = new Sandbox();
// --- The seed's code. ---
// Start a web server
const server = await sandbox.startProcess(
  'python3 -m http.server 8000');
// Wait for port to be ready (HTTP check)
await server.waitForPort(8000);
console.log('Server is ready!');
// Now you can expose the port
const exposed = await sandbox.exposePort(8000);
console.log(`Access server at: ${exposed.url}`);
// --- Not in the seed: what the test reads back. ---
console.log('GET answers', (await fetch(exposed.url)).status);
