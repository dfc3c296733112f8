import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { runningProject } from "../helpers/project-supervisor.js";

interface Answer {
  status: number;
  body: { error?: string; code?: string };
}

/** A raw request to the control API, whatever its body: the status and the JSON answer. */
function ask(socketPath: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method, agent: false, headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers } }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as Answer["body"] }));
    });
    // The server may answer (413) before it has read the whole body, and close.
    req.on("error", (error) => ((error as NodeJS.ErrnoException).code === "EPIPE" || (error as NodeJS.ErrnoException).code === "ECONNRESET" ? undefined : reject(error)));
    req.end(body);
  });
}

const project = `services:\n  a: { command: "sleep 30" }\n`;

describe("the control API, given a request it cannot act on", () => {
  it("answers a body that is not what POST /v1/processes takes with 400 and what is wrong", async () => {
    const { client } = await runningProject(project);
    const cases: [string, RegExp][] = [
      ["{not json", /not valid JSON/],
      ["[]", /must be a JSON object, not an empty list/],
      ["null", /must be a JSON object, not null/],
      ['"echo hi"', /must be a JSON object, not the string/],
      ["{}", /command: missing/],
      ['{"command": 42}', /command: must be a non-empty string or a non-empty list of strings, not number 42/],
      ['{"command": ""}', /command: must be a non-empty string/],
      ['{"command": []}', /not an empty list/],
      ['{"command": ["ls", 3]}', /command: must be/],
      ['{"command": "true", "env": {"A": 1}}', /env\.A: must be a string, not number 1/],
      ['{"command": "true", "env": ["A=1"]}', /env: must be an object of strings, not a list/],
      ['{"command": "true", "env": {"A=B": "1"}}', /"A=B" is not a variable name/],
      ['{"command": "true", "cwd": 5}', /cwd: must be a non-empty string, not number 5/],
      ['{"command": "true", "timeout": "abc"}', /timeout: must be milliseconds from 1 to 2147483647, not the string "abc"/],
      ['{"command": "true", "timeout": -1}', /timeout: must be milliseconds/],
      ['{"command": "true", "timeout": 1e12}', /timeout: must be milliseconds/],
      ['{"command": "true", "processId": 7}', /processId: must be a non-empty string/],
      ['{"command": "true", "autoCleanup": "yes"}', /autoCleanup: must be true or false/],
      ['{"command": "true", "comand": "x"}', /unknown field "comand"/],
    ];
    for (const [body, message] of cases) {
      const answer = await ask(client.socketPath, "POST", "/v1/processes", body);
      expect({ sent: body, ...answer }).toMatchObject({ sent: body, status: 400, body: { code: "BAD_REQUEST", error: expect.stringMatching(message) } });
    }
    for (const [body, message] of cases.filter(([text]) => !/processId|autoCleanup/.test(text))) {
      const answer = await ask(client.socketPath, "POST", "/v1/exec", body);
      expect({ sent: body, ...answer }).toMatchObject({ sent: body, status: 400, body: { code: "BAD_REQUEST", error: expect.stringMatching(message) } });
    }
    // Nothing was started by any of them.
    expect(await client.processes()).toHaveLength(1);
  });

  it("answers a body over the limit with 413, before reading it all", async () => {
    const { client } = await runningProject(project);
    const huge = Buffer.alloc(5 * 1024 * 1024, " ");
    const declared = await ask(client.socketPath, "POST", "/v1/processes", huge);
    expect(declared).toEqual({ status: 413, body: { code: "BODY_TOO_LARGE", error: "the request body is larger than 1048576 bytes" } });
    const chunked = await ask(client.socketPath, "POST", "/v1/exec", huge, { "transfer-encoding": "chunked" });
    expect(chunked).toEqual({ status: 413, body: { code: "BODY_TOO_LARGE", error: "the request body is larger than 1048576 bytes" } });
    // The supervisor goes on answering.
    expect(await client.project()).toMatchObject({ services: ["a"] });
  });

  it("answers bad query parameters and Last-Event-IDs with 400, and touches nothing", async () => {
    const { client, supervisor } = await runningProject(project);
    const cases: [string, string, RegExp, Record<string, string>?][] = [
      ["POST", "/v1/down?timeout=abc", /timeout=abc is not a duration/],
      ["POST", "/v1/down?timeout=-5", /timeout=-5 is not a duration/],
      ["GET", "/v1/logs?tail=-1", /tail=-1 is not a count/],
      ["GET", "/v1/logs?tail=abc", /tail=abc is not a count/],
      ["GET", "/v1/logs?follow=maybe", /follow=maybe: give 1 or 0/],
      ["GET", "/v1/logs", /Last-Event-ID: "a:x" is not SERVICE:SEQ/, { "last-event-id": "a:x" }],
      ["GET", "/v1/processes/a/stream", /Last-Event-ID: "soon" is not a line number/, { "last-event-id": "soon" }],
      ["POST", "/v1/processes/a/kill?signal=SIGNOPE", /signal=SIGNOPE is not a signal; use one of SIGHUP, SIGINT/],
      ["GET", "/v1/services/%E0%A4%A", /is not a valid URL path segment/],
    ];
    for (const [method, path, message, headers] of cases) {
      const answer = await ask(client.socketPath, method, path, undefined, headers);
      expect({ path, ...answer }).toMatchObject({ path, status: 400, body: { code: "BAD_REQUEST", error: expect.stringMatching(message) } });
    }
    expect(supervisor.orchestrator.state("a")?.status).toBe("ready");
  });

  it("answers what does not exist with 404, a taken id with 409, a wrong method with 405", async () => {
    const { client } = await runningProject(project);
    const notFound: [string, string, string, RegExp][] = [
      ["GET", "/v1/services/zzz", "UNKNOWN_SERVICE", /no service "zzz" in this project/],
      ["POST", "/v1/services/zzz/restart", "UNKNOWN_SERVICE", /no service "zzz"/],
      ["GET", "/v1/logs?service=a&service=zzz", "UNKNOWN_SERVICE", /no service "zzz"/],
      ["GET", "/v1/processes/zzz", "PROCESS_NOT_FOUND", /Process zzz not found/],
      ["GET", "/v1/processes/zzz/logs", "PROCESS_NOT_FOUND", /Process zzz not found/],
      ["GET", "/v1/processes/zzz/stream", "PROCESS_NOT_FOUND", /Process zzz not found/],
      ["POST", "/v1/processes/zzz/kill", "PROCESS_NOT_FOUND", /Process zzz not found/],
      ["GET", "/v1/nope", "NOT_FOUND", /no such endpoint: GET \/v1\/nope/],
    ];
    for (const [method, path, code, message] of notFound) {
      const answer = await ask(client.socketPath, method, path);
      expect({ path, ...answer }).toMatchObject({ path, status: 404, body: { code, error: expect.stringMatching(message) } });
    }
    expect(await ask(client.socketPath, "POST", "/v1/processes", '{"command": "sleep 30", "processId": "a"}')).toMatchObject({ status: 409, body: { code: "PROCESS_EXISTS" } });
    expect(await ask(client.socketPath, "DELETE", "/v1/services")).toMatchObject({ status: 405, body: { code: "METHOD_NOT_ALLOWED", error: "DELETE /v1/services: this endpoint takes GET" } });
    expect(await ask(client.socketPath, "GET", "/v1/down")).toMatchObject({ status: 405, body: { code: "METHOD_NOT_ALLOWED" } });
  });
});
