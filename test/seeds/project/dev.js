// `npm run dev`: a dev server on 5173 that prints its address as Vite 2 did ("Local: http://…";
// today's Vite pads it, "Local:   http://…", which the seed's waitForLog('Local: http') would miss).
const http = require("node:http");

const begun = Date.now();
http
  .createServer((_request, response) => response.end("<!doctype html><title>dev</title>\n"))
  .listen(5173, () => {
    console.log(`\n  vite v2.9.18 dev server running at:\n`);
    console.log("  > Local: http://localhost:5173/");
    console.log(`\n  ready in ${Date.now() - begun}ms.\n`);
  });
