/**
 * An async iterator over a job's progress events: ended by the job, closable by the reader. Progress
 * is state, so a reader that falls behind gets each image's latest step (an older step of the same
 * image still unread is replaced): the buffer never holds more than one event per image.
 */
export class ProgressStream<T extends { readonly imageIndex: number }> implements AsyncIterableIterator<T> {
  /** Unread events by image, in the order their images first came unread. */
  private buffer = new Map<number, T>();
  private readers: ((result: IteratorResult<T>) => void)[] = [];
  private ended = false;

  constructor(private readonly onClose: (stream: ProgressStream<T>) => void) {}

  push(value: T): void {
    if (this.ended) return;
    const reader = this.readers.shift();
    if (reader) reader({ value, done: false });
    else this.buffer.set(value.imageIndex, value);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const reader of this.readers.splice(0)) reader({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<T>> {
    const first = this.buffer.entries().next();
    if (!first.done) {
      const [imageIndex, value] = first.value;
      this.buffer.delete(imageIndex);
      return Promise.resolve({ value, done: false });
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.readers.push(resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.buffer.clear();
    this.end();
    this.onClose(this);
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
