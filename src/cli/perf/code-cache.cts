// V8 code caches for the bundled CLI: made at build time for dist/cli/cli.cjs and its chunks, read
// when they load. Parsing half a megabyte of bundle was the largest single cost of a command's
// start (`sbx validate`: 19 ms of about 80 in a profile); with the cache V8 skips most of it
// (validate 111 -> 97 and 117 -> 109 ms in two runs, medians of 21). Node 22 does this itself
// (module.enableCompileCache); Node 20 does not.
import Module = require("node:module");
import fs = require("node:fs");
import path = require("node:path");
import vm = require("node:vm");

interface LoadingModule {
  exports: unknown;
  require(id: string): unknown;
  _compile(content: string, filename: string): unknown;
}

/** The source as CommonJS runs it; a cache is valid only for the very same text. */
function wrapped(content: string): string {
  // A hashbang is only allowed at the very start of a script: keep the line, as a comment.
  return Module.wrap(content.startsWith("#!") ? `//${content.slice(2)}` : content);
}

/**
 * Where the cache of `filename` is: `X.cjs.v8`, or for a process started with other V8 flags
 * (the background supervisor's: supervisor-flags.cts), `X.cjs.NAME.v8`, made by a Node.js
 * started with those flags. V8 refuses a cache made under flags that hash otherwise: the
 * supervisor compiled every chunk from its source, 28 ms more of CPU to start with 1 service.
 */
function cachePath(filename: string, name?: string): string {
  return name === undefined ? `${filename}.v8` : `${filename}.${name}.v8`;
}

/** Writes the code cache of one bundle file, for this process's V8 flags; the build calls it for each. */
function writeCodeCache(filename: string, name?: string): void {
  const script = new vm.Script(wrapped(fs.readFileSync(filename, "utf8")), { filename });
  fs.writeFileSync(cachePath(filename, name), script.createCachedData());
}

/**
 * From now on, a CommonJS file under `dir` that has a code cache beside it is compiled with it. A
 * cache that V8 refuses (another Node.js version) costs a read and changes nothing else; a file
 * without one is compiled by Node.js as usual.
 */
function useCodeCaches(dir: string, name?: string): void {
  const prototype = (Module as unknown as { prototype: LoadingModule }).prototype;
  const compile = prototype._compile;
  const inside = dir.endsWith(path.sep) ? dir : dir + path.sep;
  prototype._compile = function (this: LoadingModule, content: string, filename: string): unknown {
    if (!filename.startsWith(inside)) return compile.call(this, content, filename);
    let cachedData: Buffer;
    try {
      cachedData = fs.readFileSync(cachePath(filename, name));
    } catch {
      return compile.call(this, content, filename);
    }
    const run = new vm.Script(wrapped(content), { filename, cachedData }).runInThisContext() as (...args: unknown[]) => unknown;
    const module = this;
    const localRequire = Object.assign((id: string) => module.require(id), {
      resolve: (request: string) => (Module as unknown as { _resolveFilename(request: string, parent: unknown): string })._resolveFilename(request, module),
      main: require.main,
      cache: require.cache,
    });
    return run.call(module.exports, module.exports, localRequire, module, filename, path.dirname(filename));
  };
}

/** Whether V8 takes the cache beside `filename`: what the tests check after a build. */
function codeCacheAccepted(filename: string, name?: string): boolean {
  const script = new vm.Script(wrapped(fs.readFileSync(filename, "utf8")), { filename, cachedData: fs.readFileSync(cachePath(filename, name)) });
  return script.cachedDataRejected === false;
}

export = { writeCodeCache, useCodeCaches, codeCacheAccepted };
