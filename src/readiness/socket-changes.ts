import { closeSync, openSync, readSync } from "node:fs";
import { Observable } from "rxjs";

/**
 * How often the kernel's socket counts are read while a check waits for a port: every 5 ms for
 * the first 2 s of a wait, then every four-hundredth of the time waited so far, up to every 25 ms
 * (from 10 s on). Reading both files costs 4 µs of CPU; the timer's wake-up costs more (100–200 µs
 * on a virtual machine, 37 ms a second at a steady 5 ms), so the watch wakes as often as the wait is
 * young: a port is seen on average within an eight-hundredth of the time its service took to open
 * it, and the first 10 s of a wait cost some 1,050 wake-ups instead of 2,000.
 */
export const SOCKET_WATCH_MS = 5;
const SOCKET_WATCH_SLOW_MS = 25;

/** The pause before the next read, for a wait that began `waitedMs` ago (the youngest wait's). */
export function socketWatchDelayMs(waitedMs: number): number {
  return Math.min(SOCKET_WATCH_SLOW_MS, Math.max(SOCKET_WATCH_MS, Math.floor(waitedMs / 400)));
}

/**
 * At most this many changes are told a second, however fast the machine's sockets come and go:
 * each one makes every waiting check try its port, so this bounds what a busy machine costs
 * (40 failed connects a second are 0.5 % of a core per waiting check). A quiet machine starting
 * a project sees a change per service that opens its port, which this leaves alone.
 */
const MOST_CHANGES_PER_SECOND = 40;
const BURST = 20;

const SOCKSTAT_FILES = ["/proc/net/sockstat", "/proc/net/sockstat6"];

/**
 * Emits soon after a TCP socket of this network namespace starts listening (or any other TCP
 * socket is hashed or unhashed): what tells a port check to try again now rather than at its
 * next interval. It reads the counts of TCP sockets in use, IPv4 and IPv6, from
 * /proc/net/sockstat{,6}: a listen(2) adds one. Reading /proc/net/tcp would say which port, but
 * the kernel walks its whole connection table for it (7 ms on a 24 GiB machine), where these
 * files are counters. One watch serves every subscriber, and reads nothing when none is left.
 * Where the files are missing (not Linux), never emits: checks keep their own schedule.
 */
export function socketChanges$(): Observable<void> {
  return new Observable<void>((subscriber) => {
    if (!watch.start()) return;
    const listener: Listener = { since: Date.now(), tell: () => subscriber.next() };
    watch.listeners.add(listener);
    return () => {
      watch.listeners.delete(listener);
      if (watch.listeners.size === 0) watch.stop();
    };
  });
}

interface Listener {
  since: number;
  tell: () => void;
}

const watch = {
  listeners: new Set<Listener>(),
  counts: undefined as Counts | undefined,
  timer: undefined as NodeJS.Timeout | undefined,
  last: "",
  tokens: BURST,
  lastTick: 0,
  pending: false,

  /** Opens the files if not yet open: false where they cannot be read. */
  start(): boolean {
    if (this.counts) return true;
    this.counts = openCounts();
    if (!this.counts) return false;
    this.last = this.counts.read();
    this.tokens = BURST;
    this.pending = false;
    this.lastTick = Date.now();
    if (!this.timer) this.schedule(SOCKET_WATCH_MS);
    return true;
  },

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.counts?.close();
    this.counts = undefined;
  },

  schedule(delayMs: number): void {
    this.timer = setTimeout(() => this.tick(), delayMs);
    // A waiting check keeps its own timers: this one must not keep a process alive by itself.
    this.timer.unref();
  },

  tick(): void {
    this.timer = undefined;
    if (!this.counts) return;
    const now = Date.now();
    this.tokens = Math.min(BURST, this.tokens + ((now - this.lastTick) * MOST_CHANGES_PER_SECOND) / 1000);
    this.lastTick = now;
    const counts = this.counts.read();
    if (counts !== this.last) {
      this.last = counts;
      this.pending = true;
    }
    let newest = 0;
    for (const listener of this.listeners) newest = Math.max(newest, listener.since);
    if (this.pending && this.tokens >= 1) {
      this.tokens -= 1;
      this.pending = false;
      for (const listener of [...this.listeners]) listener.tell();
    }
    // A listener told may have ended the watch, or ended it and started it again (with its own timer).
    if (this.counts && !this.timer) this.schedule(socketWatchDelayMs(now - newest));
  },
};

interface Counts {
  /** `TCP inuse` and `TCP6 inuse` as one string: compared, never parsed further. */
  read(): string;
  close(): void;
}

function openCounts(): Counts | undefined {
  const fds: number[] = [];
  try {
    for (const file of SOCKSTAT_FILES) fds.push(openSync(file, "r"));
  } catch {
    for (const fd of fds) closeSync(fd);
    return undefined;
  }
  const buffer = Buffer.alloc(1024);
  return {
    read() {
      let counts = "";
      for (const fd of fds) {
        // Read from offset 0 each time: procfs regenerates the text on every read of the start.
        const length = readSync(fd, buffer, 0, buffer.length, 0);
        counts += inUse(buffer.toString("latin1", 0, length));
      }
      return counts;
    },
    close() {
      for (const fd of fds) closeSync(fd);
    },
  };
}

/**
 * The `inuse` counts of the TCP lines. `alloc` is left out: it counts sockets of every network
 * namespace of the machine, and a socket that is only allocated listens nowhere.
 */
function inUse(text: string): string {
  const tcp = /^TCP6?: inuse (\d+)/m.exec(text);
  return tcp ? `${tcp[1]};` : ";";
}
