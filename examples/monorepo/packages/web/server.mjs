import { createServer } from "node:http";

const port = Number(process.env.PORT ?? 4502);
createServer(async (_request, response) => {
  const { greeting } = await (await fetch(`${process.env.API_URL}/`)).json();
  response.writeHead(200, { "content-type": "text/html" });
  response.end(`<h1>${greeting}</h1>`);
}).listen(port, "127.0.0.1", () => console.log(`web on ${port}, api at ${process.env.API_URL}`));
process.on("SIGTERM", () => process.exit(0));
