/** Whether a bundled file import()s a module at run time (an external package, such as Ink). */
export function importsAtRunTime(source) {
  return /\bimport\(\s*["']/.test(source);
}
