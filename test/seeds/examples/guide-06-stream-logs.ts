// Seed 002, the guide "Run background processes", "Monitor process logs" (a stream); server.js stops by itself here (SERVER_EXIT_AFTER_MS), so that the stream ends (TypeScript).
// --- Not in the seed: what the snippet takes as given. ---
import { Sandbox } from 'sbx-compose';
const sandbox = new Sandbox();
// --- The seed's code. ---
import { parseSSEStream, type LogEvent } from 'sbx-compose';


const server = await sandbox.startProcess('node server.js');


// Stream logs
const logStream = await sandbox.streamProcessLogs(server.id);


for await (const log of parseSSEStream<LogEvent>(logStream)) {
  console.log(log.data);
}
