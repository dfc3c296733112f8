import type { ControlClient } from "../../protocol/client.js";
import type { ServiceEvent } from "../../engine/events.js";
import type { LogLineView, WatchView } from "../../protocol/views.js";
import { describeEvent } from "../render/format-event.js";
import type { ServiceRow, UiStore } from "./ui-store.js";

/** How often the CPU and memory figures are asked for: each is a /proc walk in the supervisor. */
export const USAGE_EVERY_MS = 2_000;

/** How many recent lines of each service the view asks for on (re)connecting. */
const TAIL = 200;

/**
 * Feeds the store from a running project's control API: every service's status from the event
 * stream, their lines from the log stream, and their CPU and memory every USAGE_EVERY_MS. Resolves
 * once the project is gone (its supervisor ended the streams) or `signal` aborts.
 *
 * The view wants the newest lines, not every line: when the supervisor says it fell behind
 * (`lagged`), it starts afresh from the newest ones rather than resuming where it was.
 */
export async function attach(client: ControlClient, store: UiStore, signal: AbortSignal): Promise<void> {
  store.setServices(await client.services({ usage: true }));
  const usage = setInterval(() => {
    client.services({ usage: true }).then(
      (rows) => store.setServices(rows),
      () => {},
    );
  }, USAGE_EVERY_MS);
  try {
    await Promise.race([followEvents(client, store, signal), followLines(client, store, signal)]);
  } finally {
    clearInterval(usage);
  }
}

async function followEvents(client: ControlClient, store: UiStore, signal: AbortSignal): Promise<void> {
  for (;;) {
    let lagged = false;
    for await (const message of client.events({ signal })) {
      if (message.event === "status") store.updateService(JSON.parse(message.data) as ServiceRow);
      else if (message.event === "watch") store.say(watchNews(JSON.parse(message.data) as WatchView));
      else if (message.event === "lagged") lagged = true;
    }
    if (!lagged || signal.aborted) return;
  }
}

/**
 * What `up --watch` saw and did, as the news line says it until the next news: the files that
 * changed and what follows, or the build that failed (its first line: its last lines are in the logs).
 */
export function watchNews(view: WatchView): string {
  const [first] = describeEvent(view as ServiceEvent);
  return `${view.service}: ${first ?? view.type}`;
}

async function followLines(client: ControlClient, store: UiStore, signal: AbortSignal): Promise<void> {
  for (let first = true; ; first = false) {
    let lagged = false;
    if (!first) store.clearLines();
    for await (const message of client.logs({ follow: true, tail: TAIL }, { signal })) {
      if (message.event === "stdout" || message.event === "stderr") store.addLine(JSON.parse(message.data) as LogLineView);
      else if (message.event === "lagged") lagged = true;
    }
    if (!lagged || signal.aborted) return;
  }
}
