import { accountId, MAX_ACCOUNT_ID, type AccountEntry, type AccountFile, type Accounts } from "./accounts.js";
import { didYouMean } from "./did-you-mean.js";
import type { ServiceUser } from "./types.js";

/** The user and group sbx itself runs as (its effective ids). */
export interface RunningIdentity {
  uid: number;
  gid: number;
}

/** sbx's own effective ids; none where the system has no such thing (Windows). */
export function runningIdentity(): RunningIdentity | undefined {
  if (!process.geteuid || !process.getegid) return undefined;
  return { uid: process.geteuid(), gid: process.getegid() };
}

export type UserResolution = { ok: true; user: ServiceUser } | { ok: false; message: string };

/**
 * A service's `user:` (NAME, UID, NAME:GROUP, UID:GID, as compose writes it) as the ids to run
 * it with, looked up as docker does: a name in the users' file, its primary group unless one is
 * given, and a uid with no entry in group 0. Running as another user needs root, as it does for
 * setuid(2): sbx says so rather than fail at each start.
 */
export function resolveUser(spec: string, accounts: Accounts, running: RunningIdentity): UserResolution {
  const colon = spec.indexOf(":");
  const userPart = colon === -1 ? spec : spec.slice(0, colon);
  const groupPart = colon === -1 ? undefined : spec.slice(colon + 1);

  let uid = accountId(userPart);
  let entry: AccountEntry | undefined;
  if (/^[0-9]+$/.test(userPart)) {
    if (uid === undefined) return { ok: false, message: `uid ${userPart} is out of range: a uid is from 0 to ${MAX_ACCOUNT_ID}` };
    entry = accounts.users.ok ? accounts.users.entries.find((user) => user.id === uid) : undefined;
    // A uid needs no entry when its group is given too; otherwise the entry gives the group.
    if (!accounts.users.ok && !(groupPart !== undefined && /^[0-9]+$/.test(groupPart))) return unreadable("user", spec, accounts.users);
  } else {
    const found = findByName(accounts.users, userPart, "user", spec);
    if (!found.ok) return found;
    entry = found.entry;
    uid = entry.id;
  }

  let gid = entry?.gid ?? 0;
  if (groupPart !== undefined) {
    const numeric = accountId(groupPart);
    if (/^[0-9]+$/.test(groupPart)) {
      if (numeric === undefined) return { ok: false, message: `gid ${groupPart} is out of range: a gid is from 0 to ${MAX_ACCOUNT_ID}` };
      gid = numeric;
    } else {
      const found = findByName(accounts.groups, groupPart, "group", spec);
      if (!found.ok) return found;
      gid = found.entry.id;
    }
  }

  if (running.uid !== 0 && (uid !== running.uid || gid !== running.gid)) {
    return {
      ok: false,
      message: `running as "${spec}" (uid ${uid}, gid ${gid}) needs root: sbx runs as uid ${running.uid}; run sbx as root, or remove user`,
    };
  }
  return { ok: true, user: { uid, gid, ...(entry ? { name: entry.name } : {}), ...(entry?.home ? { home: entry.home } : {}) } };
}

function findByName(
  file: AccountFile,
  name: string,
  kind: "user" | "group",
  spec: string,
): { ok: true; entry: AccountEntry } | { ok: false; message: string } {
  if (!file.ok) return unreadable(kind, spec, file);
  const entry = file.entries.find((candidate) => candidate.name === name);
  if (entry) return { ok: true, entry };
  const hint = didYouMean(
    name,
    file.entries.map((candidate) => candidate.name),
  );
  return { ok: false, message: `unknown ${kind} "${name}": ${file.file} has no such ${kind}${hint}` };
}

function unreadable(kind: "user" | "group", spec: string, file: Extract<AccountFile, { ok: false }>): { ok: false; message: string } {
  return { ok: false, message: `cannot look up ${kind} "${spec}": cannot read ${file.file}: ${file.reason}` };
}
