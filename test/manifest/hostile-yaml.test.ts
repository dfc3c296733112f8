import { describe, expect, it } from "vitest";
import { defaultShell } from "../../src/manifest/shell.js";
import { ALIAS_BOMB } from "../helpers/hostile-manifests.js";
import { load, problems } from "../helpers/manifest.js";

describe("YAML that cannot become a manifest is an error with a position, never a crash", () => {
  it("an alias bomb, at the alias that makes the document too large", () => {
    expect(problems(ALIAS_BOMB)).toEqual([
      `6:10 x-f[0]: alias *e makes the manifest larger than 100000 values: aliases of aliases multiply ("billion laughs"); write the values out instead`,
    ]);
  });

  it("aliases used many times over are fine while the manifest stays small", () => {
    const services = Array.from({ length: 300 }, (_, i) => `  s${i}:\n    <<: *base\n    command: x\n`).join("");
    expect(load(`x-base: &base { stop_signal: SIGINT, environment: { A: "1" } }\nservices:\n${services}`).services.size).toBe(300);
  });

  it("a merge (<<) of a list of scalars, of a scalar, or of an alias of a list", () => {
    expect(problems("services:\n  a:\n    <<: [1, 2]\n    command: x\n")).toEqual([
      `3:10 services.a.<<: a merge ("<<") takes a map or a list of maps, not a number`,
    ]);
    expect(problems("services:\n  a:\n    <<: hello\n    command: x\n")).toEqual([
      `3:9 services.a.<<: a merge ("<<") takes a map or a list of maps, not a string`,
    ]);
    expect(problems("x-l: &l [a, b]\nservices:\n  a:\n    <<: *l\n    command: x\n")).toEqual([
      `4:9 services.a.<<: a merge ("<<") takes a map or a list of maps, not a list of strings`,
    ]);
  });

  it("a merge of maps and of a list of aliased maps still works", () => {
    const project = load("x-a: &a { stop_signal: SIGINT }\nx-b: &b { timeout: 5s }\nservices:\n  a:\n    <<: [*a, *b]\n    command: x\n");
    expect(project.services.get("a")).toMatchObject({ stopSignal: "SIGINT", timeoutMs: 5_000 });
  });

  it("an alias with no anchor before it, and one inside its own anchor", () => {
    expect(problems("services:\n  a:\n    command: *nope\n")).toEqual([`3:14 services.a.command: alias *nope has no anchor &nope before it`]);
    expect(problems("x-a: &a [1, *a]\nservices:\n  a:\n    command: x\n")).toEqual([
      `1:13 x-a[1]: alias *a is inside its own anchor: a manifest cannot hold itself`,
    ]);
  });

  it("unknown tags and tags whose values a manifest cannot hold", () => {
    expect(problems("services:\n  a:\n    command: !foo x\n    working_dir: !!binary aGVsbG8=\n    stop_signal: !!int SIGINT\n")).toEqual([
      `3:14 services.a.command: YAML tag !foo is not supported: sbx reads plain strings, numbers, true/false, lists and maps`,
      `4:18 services.a.working_dir: YAML tag !!binary is not supported: sbx reads plain strings, numbers, true/false, lists and maps`,
      `5:18 services.a.stop_signal: "SIGINT" is not a valid !!int`,
    ]);
    // A verbatim tag named like an Object member trips the yaml package itself: still an error at its place.
    expect(problems("services:\n  a:\n    command: !<toString> x\n")).toEqual([expect.stringMatching(/^3:14 /)]);
    expect(problems("services:\n  a:\n    command: !<tag:example.com,2026:x> x\n")).toEqual([
      `3:14 services.a.command: YAML tag tag:example.com,2026:x is not supported: sbx reads plain strings, numbers, true/false, lists and maps`,
    ]);
    expect(load("services:\n  a:\n    command: !!str 42\n    stop_grace_period: !!int 5\n").services.get("a")).toMatchObject({
      command: { kind: "shell", script: "42", shell: defaultShell() },
      stopGracePeriodMs: 5,
    });
  });

  it("a key that is a list or a map", () => {
    expect(problems("services:\n  ? [a, b]\n  : { command: x }\n")).toEqual([`2:5 services: a key must be a string, not a list`]);
  });
});
