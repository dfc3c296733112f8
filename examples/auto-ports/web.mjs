// The web server: asks the API, whose address sbx gives in API_URL, on every request.
import { createServer } from "node:http";

const port = Number(process.env.PORT);
const api = process.env.API_URL;
createServer(async (_request, response) => {
  const { greeting } = await (await fetch(`${api}/greeting`)).json();
  response.setHeader("content-type", "text/html");
  response.end(`<h1>${greeting}</h1>`);
}).listen(port, "127.0.0.1", () => console.log(`web listening on http://127.0.0.1:${port}, asking ${api}`));
