export { spawnCommand, SpawnError, type SpawnedProcess, type ExitStatus } from "./spawn-command.js";
export { LineSplitter } from "./line-splitter.js";
export { ServiceLog } from "./service-log.js";
export { formatLogFileLine, parseLogFileLine, type LogLine } from "./log-line.js";
export { killTree, type KillTreeOptions } from "./kill-tree.js";
export { listProcesses, processTreeOf, readProcess, isRunning, type ProcessInfo } from "./process-table.js";
export { LineTail } from "./line-tail.js";
