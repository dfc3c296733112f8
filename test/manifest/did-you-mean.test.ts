import { describe, expect, it } from "vitest";
import { closestName, editDistance } from "../../src/manifest/did-you-mean.js";

describe("did you mean", () => {
  it("counts a swap of neighbours as one edit", () => {
    expect(editDistance("sigtrem", "sigterm")).toBe(1);
    expect(editDistance("comand", "command")).toBe(1);
    expect(editDistance("abc", "abc")).toBe(0);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("kitten", "sitting")).toBe(3);
  });

  it("suggests the close name and nothing for a far one", () => {
    const keys = ["command", "working_dir", "environment", "depends_on", "ready", "restart", "stop_signal"];
    expect(closestName("comand", keys)).toBe("command");
    expect(closestName("enviroment", keys)).toBe("environment");
    expect(closestName("depend_on", keys)).toBe("depends_on");
    expect(closestName("Ready", keys)).toBe("ready");
    expect(closestName("image", keys)).toBeUndefined();
    expect(closestName("SIGNOPE", ["SIGTERM", "SIGFPE", "SIGPIPE"])).toBeUndefined();
    expect(closestName("SIGTREM", ["SIGTRAP", "SIGTERM"])).toBe("SIGTERM");
  });
});
