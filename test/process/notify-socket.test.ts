import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { filter, firstValueFrom, lastValueFrom, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { applyDatagram, openNotifySocket } from "../../src/process/notify-socket.js";
import { installed } from "../helpers/tools.js";

/** One datagram to the socket, sent as any program would: python3's socket module. */
function send(path: string, text: string): void {
  execFileSync("python3", ["-c", "import socket, sys; s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.sendto(sys.argv[2].encode(), sys.argv[1])", path, text]);
}

describe("NOTIFY_SOCKET", () => {
  it("receives READY=1, STATUS= and WATCHDOG=1 datagrams, and leaves no receiver and no socket once closed", async () => {
    const socket = await openNotifySocket();
    expect(Buffer.byteLength(socket.path)).toBeLessThan(108);
    send(socket.path, "STATUS=loading\nMAINPID=1");
    send(socket.path, "READY=1\nSTATUS=serving");
    const ready = await firstValueFrom(socket.state$.pipe(filter((state) => state.ready)));
    expect(ready).toEqual({ ready: true, status: "serving", watchdogs: 0 });
    send(socket.path, "WATCHDOG=1");
    send(socket.path, "WATCHDOG=1");
    expect(await firstValueFrom(socket.state$.pipe(filter((state) => state.watchdogs === 2)))).toMatchObject({ watchdogs: 2 });
    const all = lastValueFrom(socket.state$.pipe(toArray()));
    await socket.close();
    expect((await all).length).toBeGreaterThan(0);
    expect(existsSync(dirname(socket.path))).toBe(false);
  });

  it.runIf(installed("systemd-notify"))("hears systemd-notify --ready --status", async () => {
    const socket = await openNotifySocket();
    try {
      execFileSync("systemd-notify", ["--ready", "--status=warming up"], { env: { ...process.env, NOTIFY_SOCKET: socket.path } });
      expect(await firstValueFrom(socket.state$.pipe(filter((state) => state.ready)))).toMatchObject({ ready: true, status: "warming up" });
    } finally {
      await socket.close();
    }
  });

  it("says that python3 is needed when it cannot be started", async () => {
    await expect(openNotifySocket({ python: "no-such-python-sbx" })).rejects.toThrow(/needs python3/);
  });

  it("reads the datagram's lines as sd_notify(3) writes them", () => {
    const state = applyDatagram({ ready: false, watchdogs: 0 }, "READY=1\nSTATUS=a=b\ngarbage\nWATCHDOG=1\n");
    expect(state).toEqual({ ready: true, status: "a=b", watchdogs: 1 });
    expect(applyDatagram(state, "READY=0")).toMatchObject({ ready: true });
  });
});

describe("NOTIFY_SOCKET after sbx dies", () => {
  it("goes with its receiver when the process that opened it is killed", async () => {
    const { spawn } = await import("node:child_process");
    const module = new URL("../../dist/process/notify-socket.js", import.meta.url).href;
    const opener = spawn(process.execPath, ["--input-type=module", "-e", `const { openNotifySocket } = await import(${JSON.stringify(module)}); const s = await openNotifySocket(); console.log(s.path); setInterval(() => {}, 1000);`], { stdio: ["ignore", "pipe", "inherit"] });
    const path = await new Promise<string>((resolve) => opener.stdout.once("data", (chunk: Buffer) => resolve(chunk.toString().trim())));
    expect(existsSync(path)).toBe(true);
    opener.kill("SIGKILL");
    const deadline = Date.now() + 5_000;
    while (existsSync(dirname(path)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(existsSync(dirname(path))).toBe(false);
  });
});
