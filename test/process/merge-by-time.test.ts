import { describe, expect, it } from "vitest";
import { mergeByTime } from "../../src/process/merge-by-time.js";

interface Item {
  time: number;
  source: number;
  index: number;
}

describe("mergeByTime", () => {
  it("gives what a stable sort of the sequences' concatenation by time gives, for any number of sequences", () => {
    let seed = 42;
    const random = (below: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % below;
    };
    for (const count of [0, 1, 2, 3, 7, 50]) {
      const sources: Item[][] = Array.from({ length: count }, (_, source) => {
        let time = random(5);
        return Array.from({ length: random(40) }, (_, index) => ({ time: (time += random(3)), source, index }));
      });
      const expected = sources.flat().sort((a, b) => a.time - b.time);
      expect([...mergeByTime(sources.map((items) => items[Symbol.iterator]()))]).toEqual(expected);
    }
  });

  it("pulls one item ahead per sequence, not the whole of them", () => {
    let pulled = 0;
    function* endless(offset: number): Generator<{ time: number }> {
      for (let time = offset; ; time += 2) {
        pulled++;
        yield { time };
      }
    }
    const merged = mergeByTime([endless(0), endless(1)]);
    const first = Array.from({ length: 10 }, () => merged.next().value?.time);
    expect(first).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(pulled).toBe(11);
  });
});
