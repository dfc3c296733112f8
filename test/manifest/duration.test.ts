import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration, timerDelay } from "../../src/manifest/duration.js";

describe("durations", () => {
  it("parse units, compounds, decimals and plain milliseconds", () => {
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("5s")).toBe(5_000);
    expect(parseDuration("1m30s")).toBe(90_000);
    expect(parseDuration("1h")).toBe(3_600_000);
    expect(parseDuration("1.5s")).toBe(1_500);
    expect(parseDuration("2h3m4s5ms")).toBe(7_384_005);
    expect(parseDuration(1200)).toBe(1200);
  });

  it("reject what is not a duration", () => {
    for (const bad of ["5", "5 s", "s", "", "-1s", "1d", "1.s"]) expect(parseDuration(bad)).toBeUndefined();
    expect(parseDuration(-5)).toBeUndefined();
    expect(parseDuration(1.5)).toBeUndefined();
  });

  it("format to the shortest form that parses back", () => {
    for (const ms of [0, 1, 250, 1_000, 1_500, 60_000, 90_000, 3_600_000, 7_384_005]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
    expect(formatDuration(90_000)).toBe("1m30s");
    expect(formatDuration(100)).toBe("100ms");
    expect(formatDuration(0)).toBe("0s");
  });
});

describe("timerDelay", () => {
  it("brings any number a caller gives within what a timer keeps", () => {
    expect([Infinity, 2 ** 31, 2 ** 31 - 1, 1_000, 0, -5, Number.NaN].map(timerDelay)).toEqual([2 ** 31 - 1, 2 ** 31 - 1, 2 ** 31 - 1, 1_000, 0, 0, 0]);
  });
});
