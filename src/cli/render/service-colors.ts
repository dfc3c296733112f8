import type { createColors } from "picocolors";

type Colors = ReturnType<typeof createColors>;

type ColorName = "cyan" | "yellow" | "green" | "magenta" | "blue" | "red" | "cyanBright" | "yellowBright" | "greenBright" | "magentaBright" | "blueBright";

// Red is last: it reads as an error, so it goes to a service only when the others are taken.
const PALETTE: readonly ColorName[] = ["cyan", "yellow", "green", "magenta", "blue", "cyanBright", "yellowBright", "greenBright", "magentaBright", "blueBright", "red"];

/**
 * A colour per service that stays the same from run to run and does not change when another
 * service is added: it comes from the name, and only a clash with an earlier name moves it on.
 */
export function assignColors(names: readonly string[], colors: Colors): Map<string, (text: string) => string> {
  const taken = new Set<number>();
  const out = new Map<string, (text: string) => string>();
  for (const name of names) {
    let index = hash(name) % PALETTE.length;
    for (let tries = 0; taken.has(index) && tries < PALETTE.length; tries++) index = (index + 1) % PALETTE.length;
    taken.add(index);
    out.set(name, colors[PALETTE[index] as ColorName]);
  }
  return out;
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}
