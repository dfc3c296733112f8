/**
 * A dependency cycle in full, as `[a, b, c, a]`, or undefined when there is none.
 * `edges` maps each node to the nodes it depends on; unknown nodes are ignored.
 */
export function findCycle(edges: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];

  const visit = (node: string): string[] | undefined => {
    state.set(node, "open");
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (!edges.has(next)) continue;
      const seen = state.get(next);
      if (seen === "open") return [...stack.slice(stack.indexOf(next)), next];
      if (seen === undefined) {
        const cycle = visit(next);
        if (cycle) return cycle;
      }
    }
    stack.pop();
    state.set(node, "done");
    return undefined;
  };

  for (const node of edges.keys()) {
    if (state.has(node)) continue;
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Every distinct cycle found by breaking each one found and looking again, so that all are reported at once. */
export function findCycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const remaining = new Map([...edges].map(([node, deps]) => [node, [...deps]]));
  const cycles: string[][] = [];
  for (let cycle = findCycle(remaining); cycle; cycle = findCycle(remaining)) {
    cycles.push(cycle);
    // Break the cycle at its last edge and look for another.
    const from = cycle[cycle.length - 2] as string;
    const to = cycle[cycle.length - 1] as string;
    remaining.set(from, (remaining.get(from) ?? []).filter((dep) => dep !== to));
  }
  return cycles;
}
