import { SbxError } from "../../errors.js";
import type { CliIo } from "../io.js";
import { upCommand } from "./up.js";
import type { SupervisorOrder } from "./up-report.js";

/** How long the parent may take to send the run's options: it sends them as soon as this process starts. */
const ORDER_WAIT_MS = 10_000;

/**
 * The background supervisor of `sbx up -d`: takes the run's options from its parent over the IPC
 * channel, as one structured message (a new `up` option needs no parsing here), then runs the
 * project as `sbx up` does, reporting back over the same channel.
 */
export async function superviseForParent(io: CliIo): Promise<number> {
  if (!process.send) throw new SbxError("USAGE", "__supervise is sbx up -d's own: run sbx up -d");
  const order = await new Promise<SupervisorOrder>((resolve, reject) => {
    const timer = setTimeout(() => reject(new SbxError("USAGE", "sbx up -d sent no options")), ORDER_WAIT_MS);
    process.once("message", (message: SupervisorOrder) => {
      clearTimeout(timer);
      resolve(message);
    });
  });
  return upCommand({ ...order.options, supervise: true }, io);
}
