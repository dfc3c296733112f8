// Seed 002, the guide "Run background processes", "Run multiple processes" (TypeScript).
// --- Not in the seed: what the snippet takes as given. ---
import { Sandbox } from 'sbx-compose';
const sandbox = new Sandbox();
// --- The seed's code. ---
// Start database first
const db = await sandbox.startProcess('redis-server');


// Wait for database to be ready
await db.waitForPort(6379, { mode: 'tcp' });


// Now start API server (depends on database)
const api = await sandbox.startProcess('node api-server.js', {
  env: { DATABASE_URL: 'redis://localhost:6379' }
});


// Wait for API to be ready
await api.waitForPort(8080, { path: '/health' });


console.log('All services running');
