import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { socketPathFor } from "../../src/protocol/socket-path.js";

describe("the control socket's path", () => {
  it("is sbx.sock in the state directory, where that path is short enough", () => {
    expect(socketPathFor({ dir: "/srv/app" })).toBe("/srv/app/.sbx/sbx.sock");
  });

  it("for a deep directory, is named after its hash (and the project's name) in the user's own directory under the temp directory", () => {
    const deep = `/srv/${"d".repeat(120)}`;
    const path = socketPathFor({ dir: deep });
    expect(path.startsWith(`${join(tmpdir(), `sbx-${process.getuid?.() ?? "user"}`)}/`)).toBe(true);
    expect(path).toMatch(/\/[0-9a-f]{16}\.sock$/);
    expect(socketPathFor({ dir: deep })).toBe(path);
    expect(socketPathFor({ dir: deep, name: "other" })).not.toBe(path);
  });
});
