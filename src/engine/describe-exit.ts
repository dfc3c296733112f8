/** How a process ended, in words: `exited with code 1`, `killed by SIGKILL`. */
export function describeExit(exitCode: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `killed by ${signal}`;
  if (exitCode === 127) return "exited with code 127 (command not found)";
  if (exitCode === 126) return "exited with code 126 (command not executable)";
  return `exited with code ${exitCode}`;
}
