import { spawn } from "node:child_process";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { BehaviorSubject, type Observable } from "rxjs";

/**
 * What a service has said on its NOTIFY_SOCKET so far (sd_notify(3)): READY=1 once, its latest
 * STATUS=, and how many WATCHDOG=1 keep-alives it has sent (each one a new count).
 */
export interface NotifyState {
  ready: boolean;
  status?: string;
  watchdogs: number;
}

export interface NotifySocket {
  /** The socket's path: the service's NOTIFY_SOCKET. */
  readonly path: string;
  /** The state as each datagram changes it, the current one first to a new subscriber; completes once closed. */
  readonly state$: Observable<NotifyState>;
  /** Ends the receiver and removes the socket and its directory; resolves once the receiver has exited. */
  close(): Promise<void>;
}

/** Unix socket paths are limited to 108 bytes: a temp directory deeper than this gives way to /tmp. */
const MAX_DIRECTORY = 80;

/**
 * The receiver: Node.js has no Unix datagram sockets (dgram is UDP only), and the packages that
 * add them are native addons, so python3 binds the socket and writes each datagram to its stdout
 * as one JSON line. It says `bound` once the socket can be sent to, and ends when its stdin closes:
 * when sbx closes it, or dies; then it removes the socket and its directory itself, so that even a
 * SIGKILL of sbx leaves none.
 */
const RECEIVER = `
import json, os, select, socket, sys
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
if len(sys.argv) > 3: os.chown(path, int(sys.argv[2]), int(sys.argv[3]))
os.chmod(path, 0o600)
sys.stdout.write('"bound"\\n'); sys.stdout.flush()
stdin = sys.stdin.fileno()
while True:
    readable, _, _ = select.select([s, stdin], [], [])
    if stdin in readable and not os.read(stdin, 4096): break
    if s in readable:
        data = s.recv(65536)
        sys.stdout.write(json.dumps(data.decode('utf-8', 'replace')) + '\\n'); sys.stdout.flush()
os.unlink(path)
os.rmdir(os.path.dirname(path))
`;

/**
 * Opens a NOTIFY_SOCKET for one run of a service, in a private directory of its own under the temp
 * directory (0700: only sbx's user, or the service's when it runs as another, may send to it),
 * and resolves once it is bound. Rejects when python3 cannot be started or cannot bind.
 */
export function openNotifySocket(options: { owner?: { uid: number; gid: number }; python?: string } = {}): Promise<NotifySocket> {
  const base = Buffer.byteLength(tmpdir()) <= MAX_DIRECTORY ? tmpdir() : "/tmp";
  const directory = mkdtempSync(join(base, "sbx-notify-"));
  const path = join(directory, "notify.sock");
  const owner = options.owner;
  if (owner) chownSync(directory, owner.uid, owner.gid);
  const ownerArgs = owner ? [String(owner.uid), String(owner.gid)] : [];
  const receiver = spawn(options.python ?? "python3", ["-I", "-S", "-u", "-c", RECEIVER, path, ...ownerArgs], { stdio: ["pipe", "pipe", "pipe"] });
  const state = new BehaviorSubject<NotifyState>({ ready: false, watchdogs: 0 });
  const exited = new Promise<void>((resolve) => receiver.once("close", () => resolve()));
  let stderr = "";
  receiver.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  const remove = (): void => rmSync(directory, { recursive: true, force: true });

  return new Promise((resolve, reject) => {
    let bound = false;
    const lines = createInterface({ input: receiver.stdout });
    lines.on("line", (line) => {
      const message: unknown = JSON.parse(line);
      if (!bound) {
        bound = true;
        resolve({
          path,
          state$: state.asObservable(),
          close: async () => {
            receiver.stdin.end();
            await exited;
            remove();
            state.complete();
          },
        });
        return;
      }
      if (typeof message === "string") state.next(applyDatagram(state.value, message));
    });
    receiver.once("error", (error: NodeJS.ErrnoException) => {
      remove();
      reject(new Error(error.code === "ENOENT" ? "ready.notify needs python3, which receives the service's NOTIFY_SOCKET datagrams (Node.js has none): install python3" : `the NOTIFY_SOCKET receiver could not start: ${error.message}`));
    });
    void exited.then(() => {
      state.complete();
      if (bound) return;
      remove();
      reject(new Error(`the NOTIFY_SOCKET receiver (python3) ended before it bound ${path}: ${stderr.trim().split("\n").at(-1) ?? "no reason given"}`));
    });
  });
}

/** The variables of one datagram, newline-separated KEY=VALUE as sd_notify(3) sends them; lines without `=` are ignored, as systemd does. */
export function parseDatagram(text: string): Map<string, string> {
  const variables = new Map<string, string>();
  for (const line of text.split("\n")) {
    const equals = line.indexOf("=");
    if (equals > 0) variables.set(line.slice(0, equals), line.slice(equals + 1));
  }
  return variables;
}

/** The state after one datagram: READY=1 stays once said; a later STATUS= replaces the last; each WATCHDOG=1 counts. */
export function applyDatagram(state: NotifyState, text: string): NotifyState {
  const variables = parseDatagram(text);
  const next = { ...state };
  if (variables.get("READY") === "1") next.ready = true;
  const status = variables.get("STATUS");
  if (status !== undefined) next.status = status;
  if (variables.get("WATCHDOG") === "1") next.watchdogs++;
  return next;
}
