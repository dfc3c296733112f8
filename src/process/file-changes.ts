import { watch as chokidarWatch } from "chokidar";
import ignore from "ignore";
import { basename, isAbsolute, relative, sep } from "node:path";

/** Never watched, whatever a service's `watch` says: dependencies, git's own files, and sbx's state and logs. */
const ALWAYS_IGNORED = ["node_modules", ".git", ".sbx"] as const;

export interface FileChangesOptions {
  /** Absolute files and directories (a directory with everything under it). */
  paths: readonly string[];
  /** `.gitignore` patterns, matched against paths relative to `base`. */
  ignore: readonly string[];
  /** What `ignore` patterns and the reported paths are relative to: the service's working directory. */
  base: string;
  /** Each change that is not ignored: its path relative to `base` (or, outside it, to the watched path it lies under). */
  onChange: (path: string) => void;
}

export interface FileChanges {
  /** Resolves once the first scan is done: changes from then on are told. */
  readonly ready: Promise<void>;
  /** Stops watching: no descriptor or timer is left. */
  close(): Promise<void>;
}

/**
 * Watches files for one service's `watch:`, through chokidar (inotify on Linux, one watch per
 * directory): an ignored directory (node_modules) is never entered, so it costs no watch, and a
 * directory created later is watched too.
 */
export function watchFileChanges(options: FileChangesOptions): FileChanges {
  const matcher = ignore().add([...options.ignore]);
  const rootOf = (path: string): string | undefined => options.paths.find((p) => path === p || path.startsWith(p + sep));
  const relativePath = (path: string): string => {
    const rel = relative(options.base, path);
    if (rel !== "" && !rel.startsWith("..") && !isAbsolute(rel)) return rel;
    // Outside the working directory (`paths: [../shared]`): relative to the watched path it lies under.
    const root = rootOf(path);
    if (root === undefined || root === path) return basename(path);
    return `${basename(root)}/${relative(root, path)}`;
  };
  const ignored = (path: string, stats?: { isDirectory(): boolean }): boolean => {
    // Below the watched path only: a project that itself lives under a node_modules is watched.
    const root = rootOf(path);
    const below = root === undefined ? "" : relative(root, path);
    if (below.split(sep).some((part) => (ALWAYS_IGNORED as readonly string[]).includes(part))) return true;
    const rel = relativePath(path).split(sep).join("/");
    if (rel === "" || rel.startsWith("..")) return false;
    return matcher.ignores(rel) || (stats?.isDirectory() === true && matcher.ignores(`${rel}/`));
  };
  const watcher = chokidarWatch([...options.paths], { ignoreInitial: true, ignored, persistent: true });
  const ready = new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
  watcher.on("all", (event, path) => {
    // A directory's own add or unlink says no more than the files in it do.
    if (event === "addDir" || event === "unlinkDir") return;
    options.onChange(relativePath(path).split(sep).join("/"));
  });
  // A path that went away, or a watch limit reached: the rest is still watched.
  watcher.on("error", () => {});
  return { ready, close: () => watcher.close() };
}
