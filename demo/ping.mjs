// Readiness probe for the data store, like `redis-cli ping`: exit 0 when it answers PONG.
import { ask } from "./data-client.mjs";

try {
  process.exit((await ask("PING")) === "PONG" ? 0 : 1);
} catch (error) {
  console.error(`data store not answering: ${error.code ?? error.message}`);
  process.exit(1);
}
