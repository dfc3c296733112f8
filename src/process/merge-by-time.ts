/**
 * Merges sequences that are each in time order into one, in time order, holding one item per
 * sequence (a k-way merge over a binary heap). Items of the same time come in the order of the
 * sequences, and each sequence's own order is kept: the merge is stable, as a sort of their
 * concatenation by time would be.
 */
export function* mergeByTime<T extends { time: number }>(sources: readonly Iterator<T>[]): Generator<T> {
  // The head of each sequence that has one, as [item, source index], smallest (time, index) on top.
  const heap: [T, number][] = [];
  const before = (a: [T, number], b: [T, number]): boolean => a[0].time < b[0].time || (a[0].time === b[0].time && a[1] < b[1]);

  const push = (entry: [T, number]): void => {
    let at = heap.push(entry) - 1;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!before(heap[at] as [T, number], heap[parent] as [T, number])) break;
      [heap[at], heap[parent]] = [heap[parent] as [T, number], heap[at] as [T, number]];
      at = parent;
    }
  };
  /** Puts `entry` in the top's place (or the last entry, when the top's sequence has ended) and sifts it down. */
  const replaceTop = (entry: [T, number] | undefined): void => {
    if (entry !== undefined) heap[0] = entry;
    else {
      const last = heap.pop() as [T, number];
      if (heap.length === 0) return;
      heap[0] = last;
    }
    let at = 0;
    for (;;) {
      const left = 2 * at + 1;
      const right = left + 1;
      let smallest = at;
      if (left < heap.length && before(heap[left] as [T, number], heap[smallest] as [T, number])) smallest = left;
      if (right < heap.length && before(heap[right] as [T, number], heap[smallest] as [T, number])) smallest = right;
      if (smallest === at) return;
      [heap[at], heap[smallest]] = [heap[smallest] as [T, number], heap[at] as [T, number]];
      at = smallest;
    }
  };

  sources.forEach((source, index) => {
    const first = source.next();
    if (!first.done) push([first.value, index]);
  });
  while (heap.length > 0) {
    const [item, index] = heap[0] as [T, number];
    yield item;
    const next = (sources[index] as Iterator<T>).next();
    replaceTop(next.done ? undefined : [next.value, index]);
  }
}
