import { describe, expect, it } from "vitest";
import { markedSandbox as newSandbox } from "../helpers/sandboxes.js";

// What getLogs, getProcessLogs and exec return: the bytes the process wrote, as text (the SDK's
// container accumulates each chunk as it comes: `process.stdout += data`).

const node = (script: string): string[] => [process.execPath, "-e", script];

describe("a process's output, exactly as printed", () => {
  it("adds no newline where there was none", async () => {
    const sandbox = newSandbox();
    expect((await sandbox.exec("printf OK")).stdout).toBe("OK");
    const proc = await sandbox.startProcess(`printf 'no newline'; printf 'err' >&2`);
    await proc.waitForExit();
    expect(await proc.getLogs()).toEqual({ stdout: "no newline", stderr: "err" });
    expect(await sandbox.getProcessLogs(proc.id)).toMatchObject({ stdout: "no newline", stderr: "err" });
  });

  it("keeps \\r, \\r\\n, empty lines and every byte of a multi-byte character split between writes", async () => {
    const sandbox = newSandbox();
    const script = `const w = (b) => process.stdout.write(b);
w("progress 10%\\rprogress 100%\\r\\n\\n\\nend\\r\\n"); w(Buffer.from([0xc3])); setTimeout(() => w(Buffer.from([0xa9, 0x0a])), 20);`;
    const { stdout } = await sandbox.exec(node(script));
    expect(stdout).toBe("progress 10%\rprogress 100%\r\n\n\nend\r\né\n");
  });

  it("keeps stdout when stderr floods: each stream has its own byte bound", async () => {
    const sandbox = newSandbox({ maxOutputBytes: 64 * 1024 });
    const script = `process.stdout.write("the result\\n"); for (let i = 0; i < 20000; i++) process.stderr.write("warning " + i + "\\n");`;
    const { stdout, stderr } = await sandbox.exec(node(script));
    expect(stdout).toBe("the result\n");
    expect(Buffer.byteLength(stderr)).toBe(64 * 1024);
    expect(stderr.endsWith("warning 19999\n")).toBe(true);
  });

  it("keeps the newest bytes by default up to 1 MiB a stream", async () => {
    const sandbox = newSandbox();
    const { stdout } = await sandbox.exec(node(`process.stdout.write("x".repeat(3 * 1024 * 1024) + "end")`));
    expect(stdout).toBe("x".repeat(1024 * 1024 - 3) + "end");
  });

  it("gives the chunks to onOutput as text, characters whole", async () => {
    const sandbox = newSandbox();
    const chunks: string[] = [];
    const proc = await sandbox.startProcess(node(`process.stdout.write(Buffer.from([0xe2, 0x82])); setTimeout(() => process.stdout.write(Buffer.from([0xac])), 20)`), {
      onOutput: (stream, data) => chunks.push(`${stream}:${data}`),
    });
    await proc.waitForExit();
    expect(chunks).toEqual(["stdout:€"]);
  });

  it("decodes with the encoding given (utf8 by default)", async () => {
    const sandbox = newSandbox();
    const latin1 = await sandbox.startProcess(node(`process.stdout.write(Buffer.from([0x63, 0x61, 0x66, 0xe9]))`), { encoding: "latin1" });
    await latin1.waitForExit();
    expect((await latin1.getLogs()).stdout).toBe("café");
    await expect(sandbox.startProcess("true", { encoding: "base64" })).rejects.toThrow(/encoding "base64" is not supported: use one of utf8, utf-8, utf16le/);
  });
});
