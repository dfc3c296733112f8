import { Box, Text, useInput, useStdout } from "ink";
import { useEffect, useState, type ReactElement } from "react";
import type { ServiceStatus } from "../../protocol/views.js";
import { columnWidths, padRow, tableRows } from "./columns.js";
import type { UiStore } from "./ui-store.js";

/** At most this many frames a second, however fast lines come: a flood costs a bounded redraw. */
export const MAX_FPS = 20;

/** Every key, as the help line names it: in full, and shorter forms for narrower terminals. */
export const HELP = [
  "↑/↓ select  r restart  x stop  s start  f follow/pause  PgUp/PgDn scroll  / search  Esc clear search  q quit",
  "↑↓ select  r restart  x stop  s start  f follow/pause  PgUp/PgDn  / search  Esc  q quit",
  "↑↓ r:restart x:stop s:start f:follow PgUp/Dn /:search Esc q:quit",
  "↑↓ r x s f PgUp/Dn / Esc q:quit",
];

function helpFor(columns: number): string {
  return HELP.find((help) => help.length <= columns) ?? (HELP.at(-1) as string);
}

export type UiAction = "restart" | "stop" | "start";

export interface ViewProps {
  store: UiStore;
  /** A key asked for an action on a service. */
  act(service: string, action: UiAction): void;
  quit(): void;
  /** Words after the project's name in the title ("q stops the stack" for up --ui). */
  note: string;
}

const STATUS_COLOR: Partial<Record<ServiceStatus, string>> = {
  ready: "green",
  running: "green",
  completed: "cyan",
  starting: "yellow",
  waiting: "yellow",
  restarting: "yellow",
  stopping: "yellow",
  failed: "red",
  skipped: "red",
  exited: "red",
  stopped: "gray",
};

/**
 * The view of `sbx ui`, drawn with Ink. It fills the terminal: a title, the list of services, the
 * selected one's logs (or all of them, prefixed), a line of news, and a line of keys. It is redrawn
 * when the store changes, at most MAX_FPS times a second, and when the terminal changes size.
 */
export function View({ store, act, quit, note }: ViewProps): ReactElement {
  const { stdout } = useStdout();
  const [, setFrame] = useState(0);
  const [size, setSize] = useState({ columns: stdout.columns || 80, rows: stdout.rows || 24 });

  useEffect(() => {
    let timer: NodeJS.Timeout | undefined;
    let last = 0;
    store.onChange(() => {
      if (timer) return;
      const wait = Math.max(0, last + 1_000 / MAX_FPS - Date.now());
      timer = setTimeout(() => {
        timer = undefined;
        last = Date.now();
        setFrame(store.version);
      }, wait);
    });
    return () => clearTimeout(timer);
  }, [store]);

  useEffect(() => {
    const resized = (): void => setSize({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
    stdout.on("resize", resized);
    return () => void stdout.off("resize", resized);
  }, [stdout]);

  const { columns, rows } = size;
  // One row fewer than the terminal: Ink clears the whole screen for a frame as tall as it.
  const height = Math.max(rows - 1, 6);
  const listRows = Math.min(store.services.length + 2, Math.max(3, Math.floor((height - 4) / 2)));
  const logRows = Math.max(1, height - listRows - 4);

  // Keys typed fast (or pasted) come as one string: each character counts.
  useInput((input, key) => {
    if (store.search.editing) {
      if (key.return) store.endSearch(true);
      else if (key.escape) store.endSearch(false);
      else if (key.backspace || key.delete) store.editSearch(store.search.draft.slice(0, -1));
      else if (!key.ctrl && !key.meta) typed(input);
      return;
    }
    if (key.ctrl && input === "c") quit();
    else if (key.upArrow) store.select(-1);
    else if (key.downArrow) store.select(1);
    else if (key.pageUp) store.scroll(-logRows);
    else if (key.pageDown) store.scroll(logRows);
    else if (key.escape) store.endSearch(false);
    else if (!key.ctrl && !key.meta) typed(input);
  });

  /** Characters, each a command, or part of the search once `/` began one. */
  function typed(text: string): void {
    for (const char of text) {
      if (!store.search.editing) command(char);
      else if (char === "\r" || char === "\n") store.endSearch(true);
      else store.editSearch(store.search.draft + char);
    }
  }

  function command(char: string): void {
    const service = store.selectedService;
    if (char === "q") quit();
    else if (char === "k") store.select(-1);
    else if (char === "j") store.select(1);
    else if (char === "b") store.scroll(-logRows);
    else if (char === " ") store.scroll(logRows);
    else if (char === "f") store.toggleFollow();
    else if (char === "/") store.startSearch();
    else if (char === "r" || char === "x" || char === "s") {
      if (!service) store.say("select a service first (↑/↓)");
      else act(service.name, char === "r" ? "restart" : char === "x" ? "stop" : "start");
    }
  }

  const table = tableRows(store.services, Date.now());
  const widths = columnWidths(table);
  const nameWidth = Math.max(3, ...store.services.map((s) => s.name.length));
  // The list scrolls to keep the selected row in sight.
  const shown = listRows - 1;
  const first = Math.max(0, Math.min(store.selected - shown + 1, store.services.length + 1 - shown));
  const listed = [
    { label: "all", row: undefined as string[] | undefined, color: undefined as string | undefined },
    ...store.services.map((s, i) => ({ label: s.name, row: table[i + 1], color: s.health === "unhealthy" ? "red" : STATUS_COLOR[s.status] })),
  ]
    .map((entry, index) => ({ ...entry, index }))
    .slice(first, first + shown);
  const ready = store.services.filter((s) => s.ready || s.status === "completed").length;
  const selected = store.selectedService;
  const lines = store.visibleLines(logRows);
  const search = store.search;
  const state = [
    selected ? `logs: ${selected.name}` : "logs: all",
    // Why the selected service is unhealthy: its checks' last failures, as sbx ps prints them below its table.
    ...(selected?.health === "unhealthy" && selected.healthFailures?.length ? [`unhealthy: ${selected.healthFailures.join("; ")}`] : []),
    store.pausedAt === undefined ? "following" : "paused (f to follow)",
    ...(search.applied ? [`search "${search.applied}"`] : []),
  ].join(" · ");
  const bottom = search.editing ? `/${search.draft}▏ (Enter to search, Esc to cancel)` : helpFor(columns);
  const title = `── ${state} `;

  return (
    <Box flexDirection="column" width={columns} height={height}>
      <Text wrap="truncate" bold>
        {`sbx ui · ${store.project} · ${ready}/${store.services.length} ready${note ? ` · ${note}` : ""}`}
      </Text>
      <Text wrap="truncate" dimColor>
        {`  ${padRow(table[0] ?? [], widths)}`}
      </Text>
      {listed.map((entry) => (
        <Text key={entry.label} wrap="truncate" inverse={entry.index === store.selected}>
          {entry.index === store.selected ? "> " : "  "}
          {entry.row === undefined ? (
            "all"
          ) : (
            <>
              {(entry.row[0] ?? "").padEnd(widths[0] ?? 0)}
              {"  "}
              <Text color={entry.color}>{(entry.row[1] ?? "").padEnd(widths[1] ?? 0)}</Text>
              {"  "}
              {padRow(entry.row.slice(2), widths.slice(2))}
            </>
          )}
        </Text>
      ))}
      <Text wrap="truncate" dimColor>
        {title.length >= columns ? title : title + "─".repeat(columns - title.length)}
      </Text>
      <Box flexDirection="column" height={logRows}>
        {lines.map((line) => (
          <Text key={line.order} wrap="truncate">
            <Text dimColor>{`${line.service.padEnd(nameWidth)} | `}</Text>
            {line.text}
          </Text>
        ))}
      </Box>
      <Text wrap="truncate" color="yellow">
        {store.message || " "}
      </Text>
      <Text wrap="truncate" dimColor={!search.editing}>
        {bottom}
      </Text>
    </Box>
  );
}
