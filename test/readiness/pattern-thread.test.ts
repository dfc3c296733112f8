import { lastValueFrom, of, Subject, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { logMatch$ } from "../../src/readiness/log-check.js";
import { newPatternThread, PatternTooSlowError } from "../../src/readiness/pattern-thread.js";

describe("log patterns on their own thread", () => {
  it("matches in order, with capture groups and named groups, across batches", async () => {
    const thread = newPatternThread(1_000);
    const lines = new Subject<{ text: string }>();
    const found = lastValueFrom(logMatch$(lines, /port (?<port>\d+) in (\d+)ms/i, thread).pipe(toArray()));
    lines.next({ text: "starting" });
    // The next lines go in a batch of their own.
    await new Promise((resolve) => setImmediate(resolve));
    lines.next({ text: "Listening on PORT 8080 in 12ms" });
    lines.next({ text: "port 9090 in 1ms" });
    const [result] = await found;
    expect(result?.line).toBe("Listening on PORT 8080 in 12ms");
    expect([...(result?.match ?? [])]).toEqual(["PORT 8080 in 12ms", "8080", "12"]);
    expect(result?.match.index).toBe(13);
    expect(result?.match.groups).toEqual({ port: "8080" });
  });

  it("completes without a match when the lines end", async () => {
    const results = await lastValueFrom(logMatch$(of({ text: "a" }, { text: "b" }), /c+d/, newPatternThread(1_000)).pipe(toArray()));
    expect(results).toEqual([]);
  });

  it("a pattern that backtracks without end is stopped within its budget, and the thread goes on for others", async () => {
    const thread = newPatternThread(300);
    // A back-reference keeps V8 from its linear-time engine: this would run for hours.
    const runaway = lastValueFrom(logMatch$(of({ text: `${"a".repeat(60)}!` }), /(a+)+\1$/, thread));
    const other = lastValueFrom(logMatch$(of({ text: "ready at 3" }), /ready at (\d)/, thread));
    await expect(runaway).rejects.toBeInstanceOf(PatternTooSlowError);
    await expect(runaway).rejects.toThrow(/the pattern \/\(a\+\)\+\\1\$\/ was still matching after 300 ms on a batch of lines \(the longest 61 characters\)/);
    expect((await other).match[1]).toBe("3");
  });

  it("a nested quantifier that V8 can run in linear time answers at once", async () => {
    const thread = newPatternThread(5_000);
    const line = `${"a".repeat(100_000)}!`;
    const results = await lastValueFrom(logMatch$(of({ text: line }, { text: "aaa" }), /^(a+)+$/, thread).pipe(toArray()));
    expect(results.map((r) => r.line)).toEqual(["aaa"]);
  });
});
