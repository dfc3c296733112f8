import { readRegularFile } from "./read-file.js";

/** Where the system keeps its users and groups. */
export const ACCOUNT_FILES = { passwd: "/etc/passwd", group: "/etc/group" } as const;

export interface AccountEntry {
  name: string;
  id: number;
  /** A user's primary group; a group's own id. */
  gid: number;
  /** A user's home directory; none for a group. */
  home?: string;
}

/** One account database: its entries, or why it could not be read. */
export type AccountFile = { file: string; ok: true; entries: AccountEntry[] } | { file: string; ok: false; reason: string };

export interface Accounts {
  users: AccountFile;
  groups: AccountFile;
}

/** Reads /etc/passwd and /etc/group (or the files given), as getpwnam(3) and getgrnam(3) would find them locally. */
export function readAccounts(files: { passwd: string; group: string } = ACCOUNT_FILES): Accounts {
  return { users: readAccountFile(files.passwd, 2, 3, 5), groups: readAccountFile(files.group, 2, 2) };
}

/** `name:password:id:...` lines; `gidField` is where a user's primary group is (a group's is its id). */
function readAccountFile(file: string, idField: number, gidField: number, homeField?: number): AccountFile {
  const read = readRegularFile(file);
  if (!read.ok) return { file, ok: false, reason: read.reason };
  const entries: AccountEntry[] = [];
  for (const line of read.bytes.toString("utf8").split("\n")) {
    // Comments, and NIS's "+" and "-" lines, which name no local account.
    if (line === "" || line.startsWith("#") || line.startsWith("+") || line.startsWith("-")) continue;
    const fields = line.split(":");
    const id = accountId(fields[idField]);
    const gid = accountId(fields[gidField]);
    const home = homeField === undefined ? undefined : fields[homeField];
    if (fields[0] && id !== undefined && gid !== undefined) entries.push({ name: fields[0], id, gid, ...(home ? { home } : {}) });
  }
  return { file, ok: true, entries };
}

/** The largest uid or gid: 2^32 - 1 is (uid_t)-1, which means "no change" to setuid(2). */
export const MAX_ACCOUNT_ID = 2 ** 32 - 2;

/** A uid or gid written in decimal, or undefined. */
export function accountId(text: string | undefined): number | undefined {
  if (text === undefined || !/^[0-9]+$/.test(text)) return undefined;
  const id = Number(text);
  return id <= MAX_ACCOUNT_ID ? id : undefined;
}
