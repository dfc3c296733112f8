import { spawn, type ChildProcess } from "node:child_process";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer, type Server } from "node:net";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { firstValueFrom, lastValueFrom, NEVER, Subject, toArray, ReplaySubject } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { afterEach, describe, expect, it } from "vitest";
import type { HttpCheck, ReadySpec } from "../../src/manifest/types.js";
import { defaultShell } from "../../src/manifest/shell.js";
import { poll$, pollAttempts$ } from "../../src/readiness/poll.js";
import { readyChecks$ } from "../../src/readiness/ready.js";
import { httpProbe } from "../../src/readiness/http-check.js";
import { tcpProbe } from "../../src/readiness/tcp-check.js";
import { describePortHolder, findPortHolder, isPortTaken } from "../../src/readiness/port-holder.js";
import { freePort } from "../helpers/ports.js";
import { eventually, expectAllGone, fixture } from "../helpers/processes.js";
import { tempDir } from "../helpers/temp-dir.js";

const servers: (Server | HttpServer)[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

function listenTcp(port: number, host = "127.0.0.1"): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.end());
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
    servers.push(server);
  });
}

const spec = (overrides: Partial<ReadySpec>): ReadySpec => ({ timeoutMs: 3_000, intervalMs: 20, ...overrides });
const context = { lines$: new Subject<{ text: string }>(), cwd: process.cwd(), env: { PATH: process.env.PATH ?? "" } };
const http = (port: number, extra: Partial<HttpCheck> = {}): HttpCheck => ({
  host: "127.0.0.1",
  port,
  path: "/",
  status: [{ min: 200, max: 399 }],
  url: `http://127.0.0.1:${port}/`,
  ...extra,
});

const hasIpv6Loopback = await new Promise<boolean>((resolve) => {
  const server = createServer();
  server.once("error", () => resolve(false));
  server.listen(0, "::1", () => server.close(() => resolve(true)));
});

describe("poll$", () => {
  it("probes at its interval and stops at the first success (virtual time)", () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectObservable, expectSubscriptions }) => {
      const fail = { ok: false, reason: "connection refused" } as const;
      const attempts = [cold("--f|", { f: fail }), cold("--f|", { f: fail }), cold("--o|", { o: { ok: true } as const })];
      let n = 0;
      const polled$ = pollAttempts$(() => attempts[n++] as (typeof attempts)[number], 10);
      // Each attempt answers after 2 ms and ends at 3; the next begins 10 ms after an attempt ends;
      // the success completes the whole, and no attempt is left subscribed.
      expectObservable(polled$).toBe("--a 12ms b 12ms (c|)", { a: fail, b: fail, c: { ok: true } });
      expectSubscriptions(attempts[0]!.subscriptions).toBe("^--!");
      expectSubscriptions(attempts[1]!.subscriptions).toBe("-------------^--!");
      expectSubscriptions(attempts[2]!.subscriptions).toBe("--------------------------^-!");
    });
  });

  it("ramps its waits up from rampFromMs to its interval (virtual time)", () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectSubscriptions }) => {
      const fail = { ok: false, reason: "connection refused", closed: true } as const;
      const attempts = Array.from({ length: 8 }, () => cold("(f|)", { f: fail }));
      let n = 0;
      pollAttempts$(() => attempts[n++] ?? NEVER, 100, { rampFromMs: 5 }).subscribe();
      // Waits of 5, 10, 20, 40 and 80 ms, then the interval.
      const startedAt = [0, 5, 15, 35, 75, 155, 255, 355];
      startedAt.forEach((frame, i) => expectSubscriptions(attempts[i]!.subscriptions).toBe(`${frame === 0 ? "" : `${frame}ms `}(^!)`));
    });
  });

  it("tries again at once when nudged after finding nothing listening (virtual time)", () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, hot, expectSubscriptions }) => {
      const closed = { ok: false, reason: "connection refused", closed: true } as const;
      const attempts = [cold("(f|)", { f: closed }), cold("(f|)", { f: closed }), cold("(f|)", { f: closed })];
      let n = 0;
      const nudges$ = hot("30ms n", { n: undefined });
      pollAttempts$(() => attempts[n++] ?? NEVER, 100, { nudges$ }).subscribe();
      expectSubscriptions(attempts[0]!.subscriptions).toBe("(^!)");
      // The nudge at 30 ms, not the interval at 100: and the interval counts from there.
      expectSubscriptions(attempts[1]!.subscriptions).toBe("30ms (^!)");
      expectSubscriptions(attempts[2]!.subscriptions).toBe("130ms (^!)");
    });
  });

  it("is not nudged when its service answered, only wrongly (virtual time)", () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, hot, expectSubscriptions }) => {
      const wrong = { ok: false, reason: "HTTP 503" } as const;
      const attempts = [cold("(f|)", { f: wrong }), cold("(f|)", { f: wrong })];
      let n = 0;
      const nudges$ = hot("30ms n", { n: undefined });
      pollAttempts$(() => attempts[n++] ?? NEVER, 100, { nudges$ }).subscribe();
      expectSubscriptions(attempts[1]!.subscriptions).toBe("100ms (^!)");
    });
  });

  it("tries again as soon as an attempt ends when a nudge came while it was on its way (virtual time)", () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, hot, expectSubscriptions }) => {
      const closed = { ok: false, reason: "connection refused", closed: true } as const;
      const attempts = [cold("9ms (f|)", { f: closed }), cold("(o|)", { o: { ok: true } as const })];
      let n = 0;
      const nudges$ = hot("5ms n", { n: undefined });
      pollAttempts$(() => attempts[n++] ?? NEVER, 100, { nudges$ }).subscribe();
      expectSubscriptions(attempts[1]!.subscriptions).toBe("9ms (^!)");
    });
  });

  it("emits each outcome, then completes after the first success", async () => {
    let calls = 0;
    const outcomes = await lastValueFrom(
      poll$(async () => (++calls < 3 ? { ok: false, reason: `try ${calls}` } : { ok: true }), 5).pipe(toArray()),
    );
    expect(outcomes).toEqual([{ ok: false, reason: "try 1" }, { ok: false, reason: "try 2" }, { ok: true }]);
    expect(calls).toBe(3);
  });

  it("aborts the probe in flight when unsubscribed", async () => {
    let aborted = false;
    const subscription = poll$((signal) => new Promise(() => signal.addEventListener("abort", () => (aborted = true))), 5).subscribe();
    subscription.unsubscribe();
    expect(aborted).toBe(true);
  });
});

describe("readiness checks", () => {
  it("say when nothing listened at all (closed), which a new listening socket can change, and not when a service answered wrongly", async () => {
    const signal = new AbortController().signal;
    const refused = await freePort();
    expect(await tcpProbe({ host: "127.0.0.1", port: refused }, 1_000)(signal)).toEqual({ ok: false, reason: "connection refused", closed: true });
    expect(await httpProbe(http(refused), 1_000)(signal)).toEqual({ ok: false, reason: "connection refused", closed: true });
    const port = await freePort();
    const server = createHttpServer((_request, response) => response.writeHead(503).end());
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    expect(await httpProbe(http(port), 1_000)(signal)).toEqual({ ok: false, reason: "HTTP 503" });
  });

  it("tcp: ready once a server listens, with the last failure before that", async () => {
    const port = await freePort();
    setTimeout(() => void listenTcp(port), 150);
    const started = Date.now();
    expect(await firstValueFrom(readyChecks$(spec({ tcp: { host: "127.0.0.1", port } }), context))).toEqual({ ok: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("tcp: a timeout reports connection refused", async () => {
    const port = await freePort();
    expect(await firstValueFrom(readyChecks$(spec({ tcp: { host: "127.0.0.1", port }, timeoutMs: 200 }), context))).toEqual({
      ok: false,
      reasons: [`tcp 127.0.0.1:${port}: connection refused`],
    });
  });

  it.runIf(hasIpv6Loopback)("tcp and http: localhost finds a server bound to ::1 only", async () => {
    const port = await freePort();
    await listenTcp(port, "::1");
    expect(await firstValueFrom(readyChecks$(spec({ tcp: { host: "localhost", port }, timeoutMs: 1_000 }), context))).toEqual({ ok: true });
  });

  it("http: 503 is not ready, then 200 is; the timeout reports the status", async () => {
    const port = await freePort();
    let answer = 503;
    const server = createHttpServer((_req, res) => res.writeHead(answer).end());
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    expect(await firstValueFrom(readyChecks$(spec({ http: http(port), timeoutMs: 200 }), context))).toEqual({
      ok: false,
      reasons: [`http http://127.0.0.1:${port}/: HTTP 503`],
    });
    setTimeout(() => (answer = 200), 100);
    expect(await firstValueFrom(readyChecks$(spec({ http: http(port) }), context))).toEqual({ ok: true });
  });

  it("http: a status list or class decides", async () => {
    const port = await freePort();
    const server = createHttpServer((req, res) => res.writeHead(req.url === "/created" ? 201 : 404).end());
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    const check = (path: string, status: HttpCheck["status"]) =>
      firstValueFrom(readyChecks$(spec({ http: http(port, { path, status }), timeoutMs: 200 }), context));
    expect(await check("/created", [{ min: 200, max: 299 }])).toEqual({ ok: true });
    expect(await check("/missing", [{ min: 404, max: 404 }])).toEqual({ ok: true });
    expect((await check("/missing", [{ min: 200, max: 299 }])).ok).toBe(false);
  });

  it("log: matches lines printed before the check began and after", async () => {
    const before = new ReplaySubject<{ text: string }>();
    before.next({ text: "booting" });
    before.next({ text: "Database initialized in 12ms" });
    expect(await firstValueFrom(readyChecks$(spec({ log: { pattern: /initialized in (\d+)ms/ } }), { ...context, lines$: before }))).toEqual({ ok: true });

    const live = new Subject<{ text: string }>();
    const result = firstValueFrom(readyChecks$(spec({ log: { pattern: /listening/ } }), { ...context, lines$: live }));
    live.next({ text: "starting" });
    live.next({ text: "listening on 8080" });
    expect(await result).toEqual({ ok: true });
  });

  it("log: a timeout says no line matched", async () => {
    expect(await firstValueFrom(readyChecks$(spec({ log: { pattern: /never/ }, timeoutMs: 50 }), context))).toEqual({
      ok: false,
      reasons: ["log /never/: no line matched /never/ yet"],
    });
  });

  it("exec: ready once the command exits 0; the timeout reports its last output", async () => {
    const dir = tempDir();
    const flag = join(dir, "ready.flag");
    setTimeout(() => writeFileSync(flag, ""), 150);
    const exec = { kind: "shell" as const, script: `test -f ${flag} || { echo "no flag yet" >&2; exit 1; }`, shell: defaultShell() };
    expect(await firstValueFrom(readyChecks$(spec({ exec }), context))).toEqual({ ok: true });
    const never = { kind: "shell" as const, script: `echo "still waiting" >&2; exit 2`, shell: defaultShell() };
    expect(await firstValueFrom(readyChecks$(spec({ exec: never, timeoutMs: 200 }), context))).toEqual({
      ok: false,
      reasons: [`exec echo "still waiting" >&2; exit 2: exited with code 2: still waiting`],
    });
  });

  it("exec: a probe still running when the check is dropped is killed with its tree", async () => {
    const dir = tempDir();
    const pidFile = join(dir, "pid");
    const exec = { kind: "shell" as const, script: `sleep 30 & echo $! > ${pidFile}; wait`, shell: defaultShell() };
    const subscription = readyChecks$(spec({ exec }), context).subscribe();
    let pid = 0;
    await eventually(() => {
      try {
        pid = Number(readFileSync(pidFile, "utf8"));
      } catch {}
      return pid > 0;
    }, "the probe to start");
    subscription.unsubscribe();
    await expectAllGone([pid]);
  });

  it("all checks must pass; the report names each that did not", async () => {
    const port = await freePort();
    await listenTcp(port);
    const closed = await freePort();
    expect(
      await firstValueFrom(readyChecks$(spec({ tcp: { host: "127.0.0.1", port }, http: http(closed), timeoutMs: 200 }), context)),
    ).toEqual({ ok: false, reasons: [`http http://127.0.0.1:${closed}/: connection refused`] });
  });
});

describe("port holder", () => {
  it("finds the pid and command of the process that listens on a port", async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [fixture("tcp-server.mjs"), String(port)], { stdio: ["ignore", "pipe", "ignore"] });
    children.push(child);
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => (out += chunk));
    await eventually(() => out.includes("listening"), "the server");
    expect(await isPortTaken("127.0.0.1", port)).toBe(true);
    const holder = findPortHolder(port);
    expect(holder?.pid).toBe(child.pid);
    expect(describePortHolder(holder ?? {})).toBe(`pid ${child.pid} (${process.execPath} ${fixture("tcp-server.mjs")} ${port})`);
  });

  it("finds nothing on a free port", async () => {
    const port = await freePort();
    expect(await isPortTaken("127.0.0.1", port)).toBe(false);
    expect(findPortHolder(port)).toBeUndefined();
  });
});
