/**
 * A bounded-by-the-caller queue with two priority levels and round robin across clients.
 *
 * `high` items always leave before `normal` ones. Within a level each client has its own FIFO and
 * clients take turns: one item from the client at the front of the rotation, which then moves to
 * the back. A client that sends 100 jobs therefore delays another client's single job by at most
 * one job per other waiting client, not by 100.
 */
export type Priority = 'high' | 'normal';

export const PRIORITIES: readonly Priority[] = ['high', 'normal'];

export interface FairQueueItem {
  readonly clientId: string;
  readonly priority: Priority;
}

class Level<T> {
  /** Insertion order of the Map is the rotation: the first key is next. */
  private readonly clients = new Map<string, T[]>();
  size = 0;

  push(clientId: string, item: T): void {
    const fifo = this.clients.get(clientId);
    if (fifo) fifo.push(item);
    else this.clients.set(clientId, [item]);
    this.size++;
  }

  peek(): T | undefined {
    for (const fifo of this.clients.values()) return fifo[0];
    return undefined;
  }

  shift(): T | undefined {
    for (const [clientId, fifo] of this.clients) {
      const item = fifo.shift() as T;
      this.clients.delete(clientId);
      // Back of the rotation if the client still waits.
      if (fifo.length > 0) this.clients.set(clientId, fifo);
      this.size--;
      return item;
    }
    return undefined;
  }

  remove(clientId: string, item: T): boolean {
    const fifo = this.clients.get(clientId);
    const at = fifo ? fifo.indexOf(item) : -1;
    if (!fifo || at < 0) return false;
    fifo.splice(at, 1);
    if (fifo.length === 0) this.clients.delete(clientId);
    this.size--;
    return true;
  }

  *items(): IterableIterator<T> {
    for (const fifo of this.clients.values()) yield* fifo;
  }
}

export class FairQueue<T extends FairQueueItem> {
  private readonly levels: Record<Priority, Level<T>> = { high: new Level<T>(), normal: new Level<T>() };

  get size(): number {
    return this.levels.high.size + this.levels.normal.size;
  }

  push(item: T): void {
    this.levels[item.priority].push(item.clientId, item);
  }

  /** The item `shift` would return. */
  peek(): T | undefined {
    return this.levels.high.peek() ?? this.levels.normal.peek();
  }

  shift(): T | undefined {
    return this.levels.high.size > 0 ? this.levels.high.shift() : this.levels.normal.shift();
  }

  remove(item: T): boolean {
    return this.levels[item.priority].remove(item.clientId, item);
  }

  /** Every waiting item, high first; not in leaving order across clients. */
  *items(): IterableIterator<T> {
    yield* this.levels.high.items();
    yield* this.levels.normal.items();
  }
}
