/**
 * A worker's compute turns: work run through `run` goes one at a time, in the order asked. The
 * worker's loop takes a turn for each round of ticks (text encoder, UNet, VAE calls) and the
 * component store one for each session it creates, so what the store measures across a creation
 * (the resident set's growth, resident-cost.ts) is the creation's own and not a call's activations.
 * Nothing is lost by it: onnxruntime creates a session synchronously on the worker's thread, so no
 * call could run during a creation anyway; the loop still steps between two sessions of a load.
 */
export class Turns {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
