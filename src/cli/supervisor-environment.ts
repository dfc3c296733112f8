/**
 * The environment of the background supervisor, and what it restores of it.
 *
 * Node.js reads the certificates of NODE_EXTRA_CA_CERTS at start-up, before any code runs: 55 ms
 * of a 85 ms start on a machine that sets it. The supervisor opens no TLS connection, so it starts
 * without the variable and puts it back, under its name, for the services it starts.
 */
const CA_CERTS = "NODE_EXTRA_CA_CERTS";
const SET_ASIDE = "SBX_SUPERVISOR_NODE_EXTRA_CA_CERTS";

export function supervisorEnvironment(env: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  const { [CA_CERTS]: caCerts, ...rest } = env;
  return { ...rest, NO_COLOR: "1", ...(caCerts === undefined ? {} : { [SET_ASIDE]: caCerts }) };
}

/** In the supervisor, before anything reads the environment: the services get the variable back. */
export function restoreSupervisorEnvironment(env: NodeJS.ProcessEnv = process.env): void {
  const caCerts = env[SET_ASIDE];
  if (caCerts === undefined) return;
  env[CA_CERTS] = caCerts;
  delete env[SET_ASIDE];
}
