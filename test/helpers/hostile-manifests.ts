/** Nine levels of nine aliases each: 9^9 values once expanded ("billion laughs"). */
export const ALIAS_BOMB =
  'x-a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' +
  ["b", "c", "d", "e", "f", "g", "h", "i"]
    .map((name, i) => `x-${name}: &${name} [${Array.from({ length: 9 }, () => `*${"abcdefghi"[i]}`).join(", ")}]\n`)
    .join("") +
  "services:\n  a:\n    command: x\n";
