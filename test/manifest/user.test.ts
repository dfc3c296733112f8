import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readAccounts, type Accounts } from "../../src/manifest/accounts.js";
import { resolveUser } from "../../src/manifest/service-user.js";
import { load, problems } from "../helpers/manifest.js";
import { tempDir } from "../helpers/temp-dir.js";

const PASSWD = `# comments and NIS lines are skipped
root:x:0:0:root:/root:/bin/bash
postgres:x:999:998:PostgreSQL administrator:/var/lib/postgresql:/bin/bash
dev:x:1000:1000:Dev:/home/dev:/bin/bash
+::::::
`;
const GROUP = "root:x:0:\npostgres:x:998:\ndev:x:1000:\nssl-cert:x:115:postgres\n";

function accounts(): Accounts & { dir: string } {
  const dir = tempDir({ passwd: PASSWD, group: GROUP });
  return { ...readAccounts({ passwd: join(dir, "passwd"), group: join(dir, "group") }), dir };
}

const asRoot = { uid: 0, gid: 0 };
const asDev = { uid: 1000, gid: 1000 };
const isRoot = process.getuid?.() === 0;

describe("user: resolved against /etc/passwd and /etc/group", () => {
  it("a name is its uid and its primary group", () => {
    expect(resolveUser("postgres", accounts(), asRoot)).toEqual({ ok: true, user: { uid: 999, gid: 998, name: "postgres", home: "/var/lib/postgresql" } });
  });

  it("a uid, with the group of its entry, or group 0 when it has none, as in docker", () => {
    expect(resolveUser("999", accounts(), asRoot)).toEqual({ ok: true, user: { uid: 999, gid: 998, name: "postgres", home: "/var/lib/postgresql" } });
    expect(resolveUser("4321", accounts(), asRoot)).toEqual({ ok: true, user: { uid: 4321, gid: 0 } });
  });

  it("user:group, by name or number", () => {
    expect(resolveUser("postgres:ssl-cert", accounts(), asRoot)).toEqual({ ok: true, user: { uid: 999, gid: 115, name: "postgres", home: "/var/lib/postgresql" } });
    expect(resolveUser("999:4000", accounts(), asRoot)).toEqual({ ok: true, user: { uid: 999, gid: 4000, name: "postgres", home: "/var/lib/postgresql" } });
  });

  it("an unknown user or group is named, with the one meant", () => {
    const known = accounts();
    expect(resolveUser("postgress", known, asRoot)).toEqual({
      ok: false,
      message: `unknown user "postgress": ${join(known.dir, "passwd")} has no such user (did you mean "postgres"?)`,
    });
    expect(resolveUser("postgres:ssl_cert", known, asRoot)).toEqual({
      ok: false,
      message: `unknown group "ssl_cert": ${join(known.dir, "group")} has no such group (did you mean "ssl-cert"?)`,
    });
    expect(resolveUser("4294967295", known, asRoot)).toMatchObject({ ok: false, message: `uid 4294967295 is out of range: a uid is from 0 to 4294967294` });
  });

  it("another user than sbx's own needs root, as in compose", () => {
    expect(resolveUser("postgres", accounts(), asDev)).toEqual({
      ok: false,
      message: `running as "postgres" (uid 999, gid 998) needs root: sbx runs as uid 1000; run sbx as root, or remove user`,
    });
    expect(resolveUser("dev:postgres", accounts(), asDev)).toMatchObject({ ok: false, message: expect.stringMatching(/^running as "dev:postgres" \(uid 1000, gid 998\) needs root/) });
    // Its own user is no change, and needs nothing.
    expect(resolveUser("dev", accounts(), asDev)).toEqual({ ok: true, user: { uid: 1000, gid: 1000, name: "dev", home: "/home/dev" } });
    expect(resolveUser("1000:1000", accounts(), asDev)).toEqual({ ok: true, user: { uid: 1000, gid: 1000, name: "dev", home: "/home/dev" } });
  });

  it("a missing or unreadable account file is said, not taken as an empty one", () => {
    const dir = tempDir();
    expect(resolveUser("postgres", readAccounts({ passwd: join(dir, "none"), group: join(dir, "none") }), asRoot)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^cannot look up user "postgres": cannot read .*none: /),
    });
  });
});

describe("user: in a manifest", () => {
  it("is checked by the schema: a name or uid, optionally with a group", () => {
    const rule = "must be a user name or uid, optionally with a group: postgres, 999, postgres:postgres or 999:999";
    expect(problems("services:\n  db:\n    command: x\n    user: 'postgres:'\n")).toEqual([`4:11 services.db.user: "postgres:" ${rule}`]);
    expect(problems("services:\n  db:\n    command: x\n    user: a b\n")).toEqual([`4:11 services.db.user: "a b" ${rule}`]);
    expect(problems("services:\n  db:\n    command: x\n    user:\n")).toEqual([`4:10 services.db.user: an empty value ${rule}`]);
    expect(problems("services:\n  db:\n    command: x\n    user: [postgres]\n")).toEqual([`4:11 services.db.user: ${rule}`]);
  });

  it("an unknown user is an error at its file, line and column", () => {
    expect(problems("services:\n  db:\n    command: x\n    user: no-such-user-here\n")).toEqual([
      `4:11 services.db.user: unknown user "no-such-user-here": /etc/passwd has no such user`,
    ]);
  });

  it.runIf(isRoot)("resolves to uid, gid and name when sbx runs as root", () => {
    const project = load("services:\n  db:\n    command: x\n    user: nobody\n  api:\n    command: x\n    user: '${APP_UID:-65534}:${APP_GID:-65534}'\n  web:\n    command: x\n");
    const home = readAccounts().users.ok ? (readAccounts().users as { entries: { name: string; home?: string }[] }).entries.find((u) => u.name === "nobody")?.home : undefined;
    expect(project.services.get("db")?.user).toEqual({ uid: 65534, gid: 65534, name: "nobody", home, written: "nobody" });
    expect(project.services.get("api")?.user).toEqual({ uid: 65534, gid: 65534, name: "nobody", home, written: "65534:65534" });
    // No user: sbx's own, left to the spawner to inherit.
    expect(project.services.get("web")?.user).toBeUndefined();
  });

  it.skipIf(isRoot)("is an error naming root when sbx does not run as root", () => {
    expect(problems("services:\n  db:\n    command: x\n    user: root\n")).toEqual([
      expect.stringMatching(/^4:11 services\.db\.user: running as "root" \(uid 0, gid 0\) needs root: sbx runs as uid \d+; run sbx as root, or remove user$/),
    ]);
  });
});
