import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { toConfigView } from "../../src/manifest/config-view.js";
import { formatSize, parseSize } from "../../src/manifest/size.js";
import { load, problems } from "../helpers/manifest.js";

const MiB = 1024 * 1024;

describe("logs: { max_size, max_files }", () => {
  it("defaults to 10 MiB × 3 files for every service", () => {
    const project = load(`services:\n  api: { command: "true" }\n`);
    expect(project.services.get("api")?.logs).toEqual({ maxSize: 10 * MiB, maxFiles: 3 });
  });

  it("is set for the project and overridden key by key by a service", () => {
    const project = load(`
logs: { max_size: 1m, max_files: 5 }
services:
  api:
    command: "true"
    logs: { max_size: 500k }
  db:
    command: "true"
    logs: { max_files: 2 }
  web: { command: "true" }
`);
    expect(project.services.get("api")?.logs).toEqual({ maxSize: 500 * 1024, maxFiles: 5 });
    expect(project.services.get("db")?.logs).toEqual({ maxSize: MiB, maxFiles: 2 });
    expect(project.services.get("web")?.logs).toEqual({ maxSize: MiB, maxFiles: 5 });
  });

  it("reads sizes as compose writes them, in powers of 1024, or an integer of bytes", () => {
    expect(parseSize("10m")).toBe(10 * MiB);
    expect(parseSize("500k")).toBe(500 * 1024);
    expect(parseSize("1g")).toBe(1024 * MiB);
    expect(parseSize("100b")).toBe(100);
    expect(parseSize("10MB")).toBe(10 * MiB);
    expect(parseSize("10MiB")).toBe(10 * MiB);
    expect(parseSize("64kb")).toBe(64 * 1024);
    expect(parseSize("1.5m")).toBe(1.5 * MiB);
    expect(parseSize(2048)).toBe(2048);
    expect(parseSize("2048")).toBe(2048);
    expect(parseSize("10x")).toBeUndefined();
    expect(parseSize("m")).toBeUndefined();
    expect([10 * MiB, 500 * 1024, 1024 * MiB, 1000, 1.5 * MiB].map(formatSize)).toEqual(["10m", "500k", "1g", "1000", "1536k"]);
  });

  it("rejects what is not a size or a count, with file:line:col", () => {
    expect(
      problems(`
logs: { max_size: 10x }
services:
  api:
    command: "true"
    logs: { max_files: 0, max_size: 0k, keep: 3 }
`),
    ).toEqual([
      "2:19 logs.max_size: \"10x\" must be a size of at least 1 byte such as 10m, 500k or 1g (powers of 1024), or an integer of bytes",
      "6:24 services.api.logs.max_files: 0 must be an integer of at least 1",
      "6:37 services.api.logs.max_size: \"0k\" must be a size of at least 1 byte such as 10m, 500k or 1g (powers of 1024), or an integer of bytes",
      '6:41 services.api.logs.keep: unknown key "keep"',
    ]);
  });

  it("is written out by sbx config, and loads back the same", () => {
    const project = load(`
logs: { max_size: 1m }
services:
  api: { command: "true", logs: { max_files: 7 } }
`);
    const view = toConfigView(project) as { services: Record<string, Record<string, unknown>> };
    expect(view.services.api?.logs).toEqual({ max_size: "1m", max_files: 7 });
    const again = load(stringify(view));
    expect(again.services.get("api")?.logs).toEqual({ maxSize: MiB, maxFiles: 7 });
  });
});
