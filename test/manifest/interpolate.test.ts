import { describe, expect, it } from "vitest";
import { interpolate } from "../../src/manifest/interpolate.js";

const vars: Record<string, string> = { HOST: "db", PORT: "6379", EMPTY: "" };
const lookup = (name: string): string | undefined => vars[name];
const value = (text: string): string => {
  const result = interpolate(text, lookup);
  if (!result.ok) throw new Error(result.message);
  return result.value;
};
const failure = (text: string): string => {
  const result = interpolate(text, lookup);
  if (result.ok) throw new Error(`expected a failure, got "${result.value}"`);
  return result.message;
};

describe("interpolate", () => {
  it("substitutes ${VAR} and $VAR", () => {
    expect(value("redis://${HOST}:$PORT/0")).toBe("redis://db:6379/0");
  });

  it("leaves text without $ alone", () => {
    expect(value("plain text {}")).toBe("plain text {}");
  });

  it("$$ is a literal $", () => {
    expect(value("echo $$HOME costs $$5")).toBe("echo $HOME costs $5");
    expect(value("$${HOST}")).toBe("${HOST}");
  });

  it(":- uses the default when unset or empty, - only when unset", () => {
    expect(value("${MISSING:-8080}")).toBe("8080");
    expect(value("${EMPTY:-8080}")).toBe("8080");
    expect(value("${EMPTY-8080}")).toBe("");
    expect(value("${MISSING-8080}")).toBe("8080");
    expect(value("${PORT:-8080}")).toBe("6379");
  });

  it("defaults may hold variables and braces of their own", () => {
    expect(value("${MISSING:-${HOST}:${PORT}}")).toBe("db:6379");
    expect(value("${MISSING:-${ALSO_MISSING:-deep}}")).toBe("deep");
  });

  it(":? and ? fail with the message when the variable is missing", () => {
    expect(failure("${MISSING:?set it in .env}")).toBe("required variable MISSING is not set: set it in .env");
    expect(failure("${EMPTY:?must not be empty}")).toBe("required variable EMPTY is empty: must not be empty");
    expect(value("${EMPTY?unset only}")).toBe("");
    expect(failure("${MISSING?}")).toBe("required variable MISSING is not set");
  });

  it(":+ and + give the alternative when the variable is set", () => {
    expect(value("${PORT:+--port $PORT}")).toBe("--port 6379");
    expect(value("${EMPTY:+alt}")).toBe("");
    expect(value("${EMPTY+alt}")).toBe("alt");
    expect(value("${MISSING:+alt}")).toBe("");
  });

  it("reports variables used bare that are unset", () => {
    const result = interpolate("${A} $B ${C:-x}", lookup);
    expect(result).toEqual({ ok: true, value: "  x", unset: ["A", "B"] });
  });

  it("rejects malformed expressions", () => {
    expect(failure("${HOST")).toMatch(/unclosed/);
    expect(failure("${}")).toMatch(/invalid variable name/);
    expect(failure("${1abc}")).toMatch(/invalid variable name/);
    expect(failure("${HOST:=x}")).toMatch(/expected :-, -, :\?, \?, :\+ or \+ after HOST/);
  });

  it("keeps a $ that starts no variable", () => {
    expect(value("^ready$")).toBe("^ready$");
    expect(value("awk '{print $1}' costs $5 and $ more")).toBe("awk '{print $1}' costs $5 and $ more");
  });
});
