import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

setFlagsFromString("--expose-gc");
const collect = runInNewContext("gc") as () => void;

/** Bytes of the JavaScript heap still in use after a full garbage collection. */
export function liveHeapBytes(): number {
  collect();
  collect();
  return process.memoryUsage().heapUsed;
}
