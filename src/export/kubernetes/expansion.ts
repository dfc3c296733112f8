/**
 * A text as the kubelet must be given it to run it as written: it expands `$(NAME)` in a
 * container's command, args and env values to the variable's value, and reads `$$` as `$`; a `$`
 * before a `$` or a `(` is doubled, so that a shell's `$$` and `$(hostname)` reach the shell. Probes'
 * and hooks' commands are not expanded, and take their text as it is.
 */
export function escapeExpansion(text: string): string {
  return text.replace(/\$(?=[$(])/g, "$$$$");
}
