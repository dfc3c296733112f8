/** Whether a bundled file import()s a module at run time (the view's bundle, dist/cli/ui-view.mjs). */
export function importsAtRunTime(source) {
  return /\bimport\((?!\s*["']\.)/.test(source);
}
