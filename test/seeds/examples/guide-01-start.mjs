// Seed 002, the guide "Run background processes", "Start a background process"; only the import and the construction changed (JavaScript).
import { Sandbox } from "sbx-compose";


const sandbox = new Sandbox(); // was: getSandbox(env.Sandbox, "my-sandbox")


// Start a web server
const server = await sandbox.startProcess("python -m http.server 8000");


console.log("Server started");
console.log("Process ID:", server.id);
console.log("PID:", server.pid);
console.log("Status:", server.status); // 'running'


// Process runs in background - your code continues
