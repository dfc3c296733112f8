// Seed 002, the guide "Run background processes", "Configure process environment"; `cwd` relative, as the container's /workspace is here (JavaScript).
// --- Not in the seed: what the snippet takes as given. ---
import { Sandbox } from "sbx-compose";
const sandbox = new Sandbox();
/** The Worker's bindings the snippet reads. */
const env = { API_KEY: "test-api-key", DATABASE_URL: "postgres://localhost:5432/app" };
// --- The seed's code. ---
const process = await sandbox.startProcess("node server.js", {
  cwd: "workspace/api", // was: "/workspace/api"
  env: {
    NODE_ENV: "production",
    PORT: "8080",
    API_KEY: env.API_KEY,
    DATABASE_URL: env.DATABASE_URL,
  },
});


console.log("API server started");
// --- Not in the seed: what the test reads back. ---
console.log((await process.waitForLog("api: ")).line);
