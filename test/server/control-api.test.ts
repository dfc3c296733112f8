import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { selectServices } from "../../src/graph/select-services.js";
import { loadProject } from "../../src/manifest/load-project.js";
import { ControlClient } from "../../src/protocol/client.js";
import { ProjectSupervisor } from "../../src/server/project-supervisor.js";
import { formatSSE, SSEParser, type SSEMessage } from "../../src/protocol/sse.js";
import { expectNothingLeft, newMarker } from "../helpers/leftovers.js";
import { eventually } from "../helpers/processes.js";
import { tempDir } from "../helpers/temp-dir.js";

const open: { supervisor: ProjectSupervisor; marker: ReturnType<typeof newMarker> }[] = [];
afterEach(async () => {
  for (const { supervisor, marker } of open.splice(0)) {
    await supervisor.orchestrator.stop({ force: true });
    await supervisor.orchestrator.close();
    await supervisor.close();
    await expectNothingLeft(marker);
  }
});

async function running(yaml: string): Promise<{ supervisor: ProjectSupervisor; client: ControlClient }> {
  const dir = tempDir({ "sandbox.yaml": yaml });
  const marker = newMarker();
  const project = loadProject({ cwd: dir, env: process.env });
  for (const service of project.services.values()) service.environment[marker.name] = marker.value;
  const supervisor = await ProjectSupervisor.open(project, selectServices(project));
  open.push({ supervisor, marker });
  void supervisor.orchestrator.run();
  await supervisor.orchestrator.whenReady();
  return { supervisor, client: new ControlClient(supervisor.socketPath) };
}

async function collect(stream: AsyncGenerator<{ id?: string; event?: string; data: string }>, count: number) {
  const out: { id?: string; event?: string; data: string }[] = [];
  for await (const message of stream) {
    out.push(message);
    if (out.length === count) break;
  }
  return out;
}

describe("Server-Sent Events", () => {
  it("round-trip through the formatter and the parser, whatever the chunking", () => {
    const wire = formatSSE({ id: "api:1", event: "stdout", data: "two\nlines" }) + ": a comment\n\n" + formatSSE({ data: "x" });
    for (const size of [1, 3, 7, wire.length]) {
      const parser = new SSEParser();
      const messages = [];
      for (let i = 0; i < wire.length; i += size) messages.push(...parser.push(wire.slice(i, i + size)));
      expect(messages).toEqual([{ id: "api:1", event: "stdout", data: "two\nlines" }, { data: "x" }]);
    }
  });
});

describe("the control API", () => {
  it("answers state as JSON and 404 for what does not exist", async () => {
    const { client } = await running("services:\n  a: { command: 'echo a; sleep 30' }\n");
    expect(await client.project()).toMatchObject({ services: ["a"], supervisorPid: process.pid });
    expect(await client.service("a")).toMatchObject({ name: "a", status: "ready" });
    await expect(client.service("zzz")).rejects.toThrow('no service "zzz" in this project');
    expect(await rawGet(client.socketPath, "/v1/nope")).toEqual({ status: 404, body: { error: "no such endpoint: GET /v1/nope", code: "NOT_FOUND" } });
  });

  it("streams logs: the last N, then live; resumes after Last-Event-ID", async () => {
    const { supervisor, client } = await running(
      "services:\n  a: { command: 'for i in 1 2 3 4 5; do echo line $$i; done; sleep 30', ready: { log: 'line 5' } }\n",
    );
    const lastTwo = await collect(client.logs({ service: ["a"], tail: 2 }), 2);
    expect(lastTwo.map((m) => [m.id, m.event, JSON.parse(m.data).text])).toEqual([
      ["a:4", "stdout", "line 4"],
      ["a:5", "stdout", "line 5"],
    ]);
    const resumed = await collect(client.logs({ service: ["a"] }, { lastEventId: "a:3" }), 2);
    expect(resumed.map((m) => m.id)).toEqual(["a:4", "a:5"]);

    // Following from line 4: line 5 comes at once, and once it has, the stream is live.
    const controller = new AbortController();
    const followed: SSEMessage[] = [];
    for await (const message of client.logs({ service: ["a"], follow: true }, { lastEventId: "a:4", signal: controller.signal })) {
      followed.push(message);
      if (followed.length === 1) supervisor.orchestrator.serviceLog("a")?.append("stderr", "late line");
      else controller.abort();
    }
    const late = followed[1];
    expect(late).toMatchObject({ id: "a:6", event: "stderr" });
    expect(JSON.parse(late?.data ?? "{}")).toMatchObject({ service: "a", stream: "stderr", text: "late line", seq: 6 });
  });

  it("streams status changes and exits as events", async () => {
    const { client } = await running("services:\n  a: { command: 'sleep 30' }\n  b: { command: 'sleep 30' }\n");
    const controller = new AbortController();
    const seen: { event?: string; data: string }[] = [];
    const reading = (async () => {
      for await (const message of client.events({ signal: controller.signal })) seen.push(message);
    })();
    await eventually(() => seen.length >= 2, "the initial statuses");
    expect(seen.slice(0, 2).map((m) => [m.event, JSON.parse(m.data).name, JSON.parse(m.data).status])).toEqual([
      ["status", "a", "ready"],
      ["status", "b", "ready"],
    ]);
    await client.serviceAction("b", "stop");
    await eventually(() => seen.some((m) => m.event === "exit"), "the exit event");
    expect(JSON.parse(seen.find((m) => m.event === "exit")?.data ?? "{}")).toMatchObject({ service: "b", exitCode: null, signal: "SIGTERM" });
    expect(seen.map((m) => JSON.parse(m.data).status).filter(Boolean)).toContain("stopped");
    controller.abort();
    await reading;
  });
});

/** A GET on the socket as any HTTP client would send it: the status and the JSON answer. */
function rawGet(socketPath: string, path: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: "GET", agent: false }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    });
    req.once("error", reject);
    req.end();
  });
}
