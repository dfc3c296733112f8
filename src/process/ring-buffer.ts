/** The last `capacity` items pushed, in order, in fixed memory. */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  private next = 0;
  private count = 0;

  readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = Math.max(1, capacity);
    this.items = new Array<T | undefined>(this.capacity);
  }

  push(item: T): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.items.length;
    if (this.count < this.items.length) this.count++;
  }

  get size(): number {
    return this.count;
  }

  /** The last `n` items (all by default), oldest first. */
  last(n = this.count): T[] {
    const take = Math.min(n, this.count);
    const out: T[] = new Array<T>(take);
    const start = (this.next - take + this.items.length) % this.items.length;
    for (let i = 0; i < take; i++) out[i] = this.items[(start + i) % this.items.length] as T;
    return out;
  }
}
