import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { exitCodeFor } from "../../src/cli/exit-codes.js";
import { SbxError } from "../../src/errors.js";
import { ControlApiError, ControlClient } from "../../src/protocol/client.js";
import { tempDir } from "../helpers/temp-dir.js";

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A server on a Unix socket that answers every request with `status` and `body`. */
async function answering(status: number, body: unknown): Promise<string> {
  const socketPath = join(tempDir(), "sbx.sock");
  const server = createServer((_request, response) => {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return socketPath;
}

async function failure(status: number, body: unknown): Promise<ControlApiError> {
  const error = await new ControlClient(await answering(status, body)).services().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ControlApiError);
  return error as ControlApiError;
}

describe("ControlClient's errors", () => {
  it("keep the supervisor's message and code; a 5xx exits 1, a 4xx is the command line's fault (exit 2)", async () => {
    const internal = await failure(500, { error: "internal error of the supervisor: boom", code: "INTERNAL" });
    expect(internal).toMatchObject({ status: 500, remoteCode: "INTERNAL", code: "SUPERVISOR_ERROR", message: "internal error of the supervisor: boom" });
    expect(exitCodeFor(internal)).toBe(1);
    const unavailable = await failure(503, "not json at all");
    expect(unavailable.code).toBe("SUPERVISOR_ERROR");
    expect(exitCodeFor(unavailable)).toBe(1);

    const bad = await failure(400, { error: "tail=-1 is not a count", code: "BAD_REQUEST" });
    expect(bad).toMatchObject({ status: 400, remoteCode: "BAD_REQUEST", code: "USAGE", message: "tail=-1 is not a count" });
    expect(exitCodeFor(bad)).toBe(2);
    const missing = await failure(404, { error: 'no service "zzz" in this project', code: "UNKNOWN_SERVICE" });
    expect(missing).toMatchObject({ code: "UNKNOWN_SERVICE", message: 'no service "zzz" in this project' });
    expect(exitCodeFor(missing)).toBe(2);
    const taken = await failure(409, { error: 'a process "a" already exists', code: "PROCESS_EXISTS" });
    expect(taken).toMatchObject({ code: "USAGE", remoteCode: "PROCESS_EXISTS" });
    expect(taken).toBeInstanceOf(SbxError);
  });
});
