import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isRunning } from "../../src/process/process-table.js";
import { LINE_CUT_MARKER } from "../../src/process/line-splitter.js";
import { eventually } from "../helpers/processes.js";
import { stack } from "../helpers/stack.js";
import { outputLinesOf } from "../helpers/log-file-lines.js";

describe("a service's last line", () => {
  it("reaches its log when the service ends, even while a descendant still holds its output open", async () => {
    // The shell prints its last line without a newline and exits; `sleep` keeps the pipes open.
    const s = stack(`services:\n  job: { command: "sleep 1 & echo $$!; printf 'last words'" }\n`);
    void s.orchestrator.run();
    await eventually(() => s.of("job").includes("completed"), "the job to complete");
    const [pid, ...rest] = s.output("job");
    expect(rest).toEqual(["last words"]);
    // Once the descendant is gone and the pipes close, the line is not given a second time.
    await eventually(() => !isRunning(Number(pid)), "the descendant to end");
    await s.orchestrator.stop();
    await s.orchestrator.close();
    expect(s.output("job")).toEqual([pid, "last words"]);
    const file = readFileSync(join(s.dir, ".sbx", "logs", "job.log"), "utf8");
    expect(file.split("\n").filter((line) => line.endsWith(" out last words"))).toHaveLength(1);
  });

  it("of many megabytes without a newline comes out in pieces of at most 1 MiB, in the log file too", async () => {
    const s = stack(`services:\n  long: { command: [${JSON.stringify(process.execPath)}, -e, "process.stdout.write('y'.repeat(2.5 * 1024 * 1024))"] }\n`);
    void s.orchestrator.run();
    await eventually(() => s.of("long").includes("completed"), "the service to complete");
    await s.orchestrator.close();
    const piece = "y".repeat(1024 * 1024);
    expect(s.output("long")).toEqual([piece + LINE_CUT_MARKER, piece + LINE_CUT_MARKER, "y".repeat(512 * 1024)]);
    const file = outputLinesOf(readFileSync(join(s.dir, ".sbx", "logs", "long.log"), "utf8"));
    expect(file.map((line) => line.slice(29))).toEqual([piece + LINE_CUT_MARKER, piece + LINE_CUT_MARKER, "y".repeat(512 * 1024)]);
  });
});
