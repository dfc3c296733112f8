import { describe, expect, it } from "vitest";
import type { ServiceStatusView } from "../../src/protocol/views.js";
import { backgroundProject } from "../helpers/background-projects.js";
import { fixture } from "../helpers/processes.js";

const isRoot = process.getuid?.() === 0;

// `user:` reaches every way sbx starts a service's program: its NOTIFY_SOCKET is the service user's
// to send to, and `sbx exec` and `sbx run` run as that user, with its groups alone (none of root's).
// The background projects' teardown checks that nothing is left.
describe.runIf(isRoot)("user: with notify, exec and run", () => {
  it("a notify service running as another user is heard, and exec and run run as that user", async () => {
    const project = backgroundProject(`
services:
  daemon:
    user: "65534:65534"
    working_dir: /
    command: python3 ${fixture("notify.py")} 0.1 "serving as nobody"
    ready: { notify: true, timeout: 20s }
  worker:
    user: "65534:65534"
    working_dir: /
    command: sleep 30
    depends_on: { daemon: { condition: service_healthy } }
`);
    const upped = await project.sbx("up", "--wait");
    expect(upped.code, upped.stderr).toBe(0);
    const ps = JSON.parse((await project.sbx("ps", "--json")).stdout) as ServiceStatusView[];
    expect(ps.find((s) => s.name === "daemon")).toMatchObject({ status: "ready", statusText: "serving as nobody" });

    const exec = await project.sbx("exec", "daemon", "--", "sh", "-c", 'echo "$(id -u):$(id -g) groups $(id -G) in $(pwd)"');
    expect(exec.code, exec.stderr).toBe(0);
    expect(exec.stdout).toBe("65534:65534 groups 65534 in /\n");

    const run = await project.sbx("run", "worker", "--", "sh", "-c", 'echo "$(id -u):$(id -g) groups $(id -G)"; exit 4');
    expect(run.stdout).toContain("65534:65534 groups 65534\n");
    expect(run.code).toBe(4);
  });
});
