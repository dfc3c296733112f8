import { describe, expect, it } from "vitest";
import { load, problems } from "../helpers/manifest.js";

describe("ready.notify and ready.watchdog in the manifest", () => {
  it("loads notify alone as a check, and a watchdog as milliseconds", () => {
    const project = load(`
services:
  db:
    command: postgres
    ready: { notify: true, watchdog: 1m30s }
`);
    expect(project.services.get("db")?.ready).toMatchObject({ notify: true, watchdogMs: 90_000 });
  });

  it("refuses a watchdog without notify, and notify: false as the only check, each at its place", () => {
    expect(
      problems(`
services:
  a:
    command: x
    ready: { tcp: 80, watchdog: 10s }
  b:
    command: x
    ready: { notify: false }
`),
    ).toEqual([
      "5:33 services.a.ready.watchdog: a watchdog needs notify: true: the service's WATCHDOG=1 keep-alives come through its NOTIFY_SOCKET",
      "8:12 services.b.ready: needs at least one check: tcp, http, log, exec or notify",
    ]);
  });
});
