import { describe, expect, it } from "vitest";
import { commandArgv } from "../../src/process/command-argv.js";

describe("commandArgv", () => {
  it("adds a string's script to its shell, last", () => {
    expect(commandArgv({ kind: "shell", script: "echo {1..3}", shell: ["/usr/bin/bash", "-c"] })).toEqual(["/usr/bin/bash", "-c", "echo {1..3}"]);
    expect(commandArgv({ kind: "shell", script: "false | true", shell: ["bash", "-eo", "pipefail", "-c"] })).toEqual(["bash", "-eo", "pipefail", "-c", "false | true"]);
  });

  it("gives a list as it is", () => {
    expect(commandArgv({ kind: "exec", argv: ["node", "-e", "1"] })).toEqual(["node", "-e", "1"]);
  });
});
