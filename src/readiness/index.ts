export { readyChecks$, type ReadyChecksContext, type ReadyOutcome } from "./ready.js";
export { poll$, probeOnce$, type Probe, type ProbeResult } from "./poll.js";
export { tcpProbe, connectOnce } from "./tcp-check.js";
export { httpProbe, statusMatches } from "./http-check.js";
export { execProbe } from "./exec-check.js";
export { logMatch$ } from "./log-check.js";
export { isPortTaken, findPortHolder, describePortHolder, descendsFrom, type PortHolder } from "./port-holder.js";
