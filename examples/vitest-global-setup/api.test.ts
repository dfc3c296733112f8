import { connect } from "node:net";
import { describe, expect, inject, it } from "vitest";

function ask(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(inject("dataPort"), "127.0.0.1");
    let answer = "";
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(`${command}\n`));
    socket.on("data", (chunk) => {
      answer += chunk;
      if (answer.includes("\n")) socket.end(() => resolve(answer.trim()));
    });
    socket.on("error", reject);
  });
}

describe("the API, against the real stack", () => {
  it("is healthy once the data is in place", async () => {
    await ask("SET schema_version 1");
    const response = await fetch(`${inject("apiUrl")}/health`);
    expect(response.status).toBe(200);
  });

  it("serves what the store holds", async () => {
    await ask("SET greeting hello from the fixture");
    const body = (await (await fetch(`${inject("apiUrl")}/`)).json()) as { greeting: string };
    expect(body.greeting).toBe("hello from the fixture");
  });
});
