/** The output lines of a log file's text: without the empty end, and without the marks where each run of the project began (`2026-11-30T14:03:12.345Z run`). */
export function outputLinesOf(text: string): string[] {
  return text.split("\n").filter((line) => line !== "" && !/^\S{24} run$/.test(line));
}
