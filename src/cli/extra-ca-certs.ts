/**
 * NODE_EXTRA_CA_CERTS, set aside while sbx starts and handed back to what it starts.
 *
 * Node.js reads the certificates it names at start-up, before any code runs: 55 ms of an 85 ms
 * start on a machine that sets it, which many company machines do. sbx itself opens no TLS
 * connection, so `bin/sbx` and the background supervisor start without it, under another name,
 * and sbx puts it back first thing: every service still gets it.
 */
const CA_CERTS = "NODE_EXTRA_CA_CERTS";
/** Also written in bin/sbx. */
const SET_ASIDE = "SBX_NODE_EXTRA_CA_CERTS";

/** The environment for a Node.js process of sbx's own: the variable set aside. */
export function withCaCertsAside(env: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  const { [CA_CERTS]: caCerts, ...rest } = env;
  return caCerts === undefined ? rest : { ...rest, [SET_ASIDE]: caCerts };
}

/** In sbx's own process, before anything reads the environment: the variable back where it was. */
export function restoreCaCerts(env: NodeJS.ProcessEnv = process.env): void {
  const caCerts = env[SET_ASIDE];
  if (caCerts === undefined) return;
  env[CA_CERTS] = caCerts;
  delete env[SET_ASIDE];
}
