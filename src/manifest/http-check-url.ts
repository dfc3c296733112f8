// Apart from normalise.ts: the engine makes the URL again once an `auto` port is known, and must
// not load the manifest's parser for it (a background supervisor never needs it: see up-detached.ts).

/** The URL an http check asks, for messages: as the URL form's (http://localhost/ for port 80), so that either form loads to the same check. */
export function httpCheckUrl(host: string, port: number, path: string): string {
  const shownHost = host.includes(":") ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}${path}`;
  return URL.canParse(url) ? new URL(url).href : url;
}
