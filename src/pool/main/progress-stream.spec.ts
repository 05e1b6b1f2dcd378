import { ProgressStream } from './progress-stream';

interface Step {
  readonly imageIndex: number;
  readonly step: number;
}

describe('ProgressStream', () => {
  it('yields every event to a reader that keeps up, then ends with the job', async () => {
    const stream = new ProgressStream<Step>(() => undefined);
    const pending = stream.next();
    stream.push({ imageIndex: 0, step: 1 });
    expect((await pending).value).toEqual({ imageIndex: 0, step: 1 });
    stream.push({ imageIndex: 1, step: 1 });
    stream.end();
    expect((await stream.next()).value).toEqual({ imageIndex: 1, step: 1 });
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it("keeps only each image's latest unread step for a reader that falls behind", async () => {
    const stream = new ProgressStream<Step>(() => undefined);
    for (let step = 1; step <= 1000; step++) {
      stream.push({ imageIndex: 0, step });
      stream.push({ imageIndex: 1, step });
    }
    stream.end();
    const read: Step[] = [];
    for await (const event of stream) read.push(event);
    expect(read).toEqual([
      { imageIndex: 0, step: 1000 },
      { imageIndex: 1, step: 1000 },
    ]);
  });

  it('tells its owner when the reader closes it', async () => {
    let closed = 0;
    const stream = new ProgressStream<Step>(() => closed++);
    stream.push({ imageIndex: 0, step: 1 });
    await stream.return();
    expect(closed).toBe(1);
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });
});
