import { createServer, type Server } from "node:http";
import { firstValueFrom, take, toArray } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { afterEach, describe, expect, it } from "vitest";
import type { HealthSpec } from "../../src/manifest/types.js";
import { healthChecks$, healthVerdicts$, type HealthAttempt } from "../../src/readiness/health.js";
import { expectNothingLeft, newMarker, processesMarked } from "../helpers/leftovers.js";

const fail = (reason: string): HealthAttempt => ({ ok: false, reasons: [reason] });
const pass: HealthAttempt = { ok: true };

describe("healthVerdicts$ (virtual time)", () => {
  it("says healthy at the first pass, unhealthy at the retries-th failure in a row, healthy again at the next pass, and nothing while it stays so", () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectObservable }) => {
      // Each attempt answers after 1 ms and ends at 2; the next begins 10 ms after one ends.
      const results = [fail("a"), pass, fail("b"), fail("c"), fail("d"), pass, pass];
      let n = 0;
      const verdicts$ = healthVerdicts$(() => cold("-r|", { r: results[n++] as HealthAttempt }), { intervalMs: 10, retries: 2 });
      // Attempts answer at 11, 23, 35, 47, 59, 71, 83: the lone failure at 11 is forgiven by the pass
      // at 23, the first (healthy); the second of the failures at 35 and 47 makes it unhealthy, the
      // pass at 71 healthy again, the one at 83 says nothing.
      expectObservable(verdicts$, "^ 90ms !").toBe("23ms f 23ms u 23ms h", {
        f: { healthy: true, again: false },
        u: { healthy: false, reasons: ["c"], failures: 2 },
        h: { healthy: true, again: true },
      });
    });
  });

  it("never overlaps an attempt with the one before, however slow, and drops the one in flight on unsubscribe", () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectObservable, expectSubscriptions }) => {
      // Attempts take 8 ms, four times the interval.
      const attempts = [cold("-------f|", { f: fail("slow") }), cold("-------f|", { f: fail("slow") }), cold("-------f|", { f: fail("slow") })];
      let n = 0;
      expectObservable(healthVerdicts$(() => attempts[n++]!, { intervalMs: 2, retries: 3 }), "^ 25ms !").toBe("");
      expectSubscriptions(attempts[0]!.subscriptions).toBe("--^-------!");
      expectSubscriptions(attempts[1]!.subscriptions).toBe("------------^-------!");
      // The third began at 22 and is still in flight at 26, when the verdicts are unsubscribed.
      expectSubscriptions(attempts[2]!.subscriptions).toBe("----------------------^---!");
    });
  });

  it("with retries 1, the first failure is enough", () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectObservable }) => {
      expectObservable(healthVerdicts$(() => cold("-r|", { r: fail("x") }), { intervalMs: 5, retries: 1 }), "^ 20ms !").toBe("6ms u", { u: { healthy: false, reasons: ["x"], failures: 1 } });
    });
  });
});

describe("healthChecks$ against a real server", () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  });

  it("goes unhealthy when the server starts answering 500, and healthy when it answers 200 again", async () => {
    let status = 200;
    const server = createServer((_req, res) => res.writeHead(status).end());
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    const spec: HealthSpec = {
      http: { host: "127.0.0.1", port, path: "/", status: [{ min: 200, max: 299 }], url: `http://127.0.0.1:${port}/` },
      intervalMs: 20,
      timeoutMs: 1_000,
      retries: 2,
    };
    const verdicts = firstValueFrom(healthChecks$(spec, { cwd: process.cwd(), env: {} }).pipe(take(2), toArray()));
    status = 500;
    const unhealthy = await firstValueFrom(healthChecks$(spec, { cwd: process.cwd(), env: {} }));
    expect(unhealthy).toEqual({ healthy: false, reasons: [`http http://127.0.0.1:${port}/: HTTP 500`], failures: 2 });
    status = 200;
    expect(await verdicts).toEqual([unhealthy, { healthy: true, again: true }]);
  });

  it("an exec check that hangs past the timeout fails, its process killed", async () => {
    const marker = newMarker();
    const spec: HealthSpec = { exec: { kind: "exec", argv: ["sleep", "30"] }, intervalMs: 10, timeoutMs: 100, retries: 1 };
    const verdict = await firstValueFrom(healthChecks$(spec, { cwd: process.cwd(), env: { PATH: process.env.PATH ?? "", [marker.name]: marker.value } }));
    expect(verdict).toMatchObject({ healthy: false, reasons: ["exec sleep 30: timed out after 100 ms"] });
    await expectNothingLeft(marker);
  });

  it("an exec check in flight is killed when the checks are dropped", async () => {
    const marker = newMarker();
    const spec: HealthSpec = { exec: { kind: "exec", argv: ["sleep", "30"] }, intervalMs: 10, timeoutMs: 30_000, retries: 1 };
    const subscription = healthChecks$(spec, { cwd: process.cwd(), env: { PATH: process.env.PATH ?? "", [marker.name]: marker.value } }).subscribe();
    const deadline = Date.now() + 5_000;
    while (processesMarked(marker).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(processesMarked(marker)).toHaveLength(1);
    subscription.unsubscribe();
    await expectNothingLeft(marker);
  });
});
