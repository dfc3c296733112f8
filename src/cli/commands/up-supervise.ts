import { SbxError } from "../../errors.js";
import type { CliIo } from "../io.js";
import { upCommand } from "./up.js";
import type { SupervisorOrder } from "./up-report.js";
import { ExitCode } from "../exit-codes.js";

/** How long the parent may take to send the run's options: it sends them as soon as this process starts. */
const ORDER_WAIT_MS = 10_000;

/**
 * The background supervisor of `sbx up -d`: takes the run's options and its loaded project from its
 * parent over the IPC channel, as one structured message (a new `up` option needs no parsing here),
 * then runs the project as `sbx up` does, reporting back over the same channel.
 */
export async function superviseForParent(io: CliIo): Promise<number> {
  if (!process.send) throw new SbxError("USAGE", "__supervise is sbx up -d's own: run sbx up -d");
  const order = await new Promise<SupervisorOrder | undefined>((resolve, reject) => {
    // A listener of either keeps the channel, and with it this process, alive: none may stay.
    const stopListening = (): void => {
      clearTimeout(timer);
      process.off("message", onMessage);
      process.off("disconnect", onDisconnect);
    };
    const onMessage = (message: SupervisorOrder): void => {
      stopListening();
      resolve(message);
    };
    // The parent found the manifest broken (it says so itself), or was itself ended: nothing to run.
    const onDisconnect = (): void => {
      stopListening();
      resolve(undefined);
    };
    const timer = setTimeout(() => {
      stopListening();
      reject(new SbxError("USAGE", "sbx up -d sent no options"));
    }, ORDER_WAIT_MS);
    process.on("message", onMessage);
    process.on("disconnect", onDisconnect);
  });
  if (order === undefined) return ExitCode.ok;
  return upCommand({ ...order.options, supervise: true }, io, process, order.project);
}
