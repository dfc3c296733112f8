// A background worker: says when it is ready (the demo's log readiness check waits for that
// line), then processes a job every few seconds by calling the API.
const started = Date.now();
const api = `http://127.0.0.1:${process.env.API_PORT ?? 4101}/`;
const every = Number(process.env.WORKER_INTERVAL_MS ?? 5000);

const first = await fetch(api);
await first.json();
console.log(`worker ready in ${Date.now() - started}ms`);

let jobs = 0;
const timer = setInterval(async () => {
  try {
    const { greeting } = await (await fetch(api)).json();
    console.log(`job ${++jobs} done: "${greeting}"`);
  } catch (error) {
    console.error(`job ${++jobs} failed: ${error.cause?.code ?? error.message}`);
  }
}, every);

process.on("SIGINT", () => {
  clearInterval(timer);
  console.log(`worker: stopping after ${jobs} jobs`);
  process.exit(0);
});
