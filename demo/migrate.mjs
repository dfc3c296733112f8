// A one-shot job: writes the data the API serves, then exits 0.
import { ask } from "./data-client.mjs";

const started = Date.now();
await ask("SET schema_version 3");
await ask("SET greeting hello from the data store");
console.log(`migrated to schema version 3 in ${Date.now() - started}ms`);
