import { ErrorCode } from '../common/error-code';
import { imageAt, type GenerationBackend, type StartedGeneration } from './generation-backend';
import type { GenerationRecord, Viewer } from './generation-store';
import { Generations } from './generations';
import { ENDED_SUBSCRIPTION } from './progress-fanout';
import { StreamSlots } from './stream-slots';

/** A backend whose records carry no image bytes until read, as the Redis one's do. */
class BytesElsewhereBackend implements GenerationBackend {
  readonly calls: string[] = [];
  stopped = false;
  closed = false;

  constructor(private readonly record: GenerationRecord) {}

  async start(): Promise<StartedGeneration> {
    this.calls.push('start');
    return { record: this.record, done: Promise.resolve(this.record) };
  }
  async get(id: string, viewer?: Viewer): Promise<GenerationRecord> {
    this.calls.push(`get ${id} ${viewer?.clientId}`);
    return this.record;
  }
  async cancel(id: string): Promise<GenerationRecord> {
    this.calls.push(`cancel ${id}`);
    return this.record;
  }
  async image(id: string, index: string, viewer?: Viewer): Promise<{ mimeType: string; bytes: Buffer }> {
    this.calls.push(`image ${id}/${index} ${viewer?.clientId}`);
    return { mimeType: 'image/png', bytes: Buffer.from(`png ${index}`) };
  }
  async subscribe(id: string) {
    this.calls.push(`subscribe ${id}`);
    return ENDED_SUBSCRIPTION;
  }
  async stopTakingJobs(): Promise<void> {
    this.stopped = true;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

const RECORD: GenerationRecord = {
  id: 'g1',
  checkpointId: 'final',
  createdAt: 0,
  status: 'succeeded',
  progress: { step: 3, totalSteps: 3, etaMs: 0 },
  images: [
    { index: 0, seed: '7', mimeType: 'image/png', bytes: Buffer.alloc(0) },
    { index: 1, seed: '8', mimeType: 'image/png', bytes: Buffer.alloc(0) },
  ],
};

describe('Generations: one entry point over the backend chosen at start-up', () => {
  const viewer: Viewer = { clientId: 'c', admin: false };

  it('hands every call to the backend, whichever it is', async () => {
    const backend = new BytesElsewhereBackend(RECORD);
    const generations = new Generations(backend, new StreamSlots(1));
    await generations.start({}, 'c');
    await generations.get('g1', viewer);
    await generations.cancel('g1', viewer);
    await generations.subscribe('g1', { send: () => true }, viewer);
    await generations.stopTakingJobs();
    await generations.beforeApplicationShutdown();
    expect(backend.calls).toEqual(['start', 'get g1 c', 'cancel g1', 'subscribe g1']);
    expect([backend.stopped, backend.closed]).toEqual([true, true]);
  });

  it('reads missing image bytes from the backend for inline answers, and maps the view with one URL builder', async () => {
    const backend = new BytesElsewhereBackend(RECORD);
    const generations = new Generations(backend, new StreamSlots(1));
    const view = await generations.view(RECORD, true);
    expect(view.images).toEqual([
      { index: 0, seed: '7', mimeType: 'image/png', url: '/v1/generations/g1/images/0', base64: Buffer.from('png 0').toString('base64') },
      { index: 1, seed: '8', mimeType: 'image/png', url: '/v1/generations/g1/images/1', base64: Buffer.from('png 1').toString('base64') },
    ]);
    // Without base64 nothing is read.
    backend.calls.length = 0;
    expect((await generations.view(RECORD, false)).images[0]).toEqual({ index: 0, seed: '7', mimeType: 'image/png', url: '/v1/generations/g1/images/0' });
    expect(backend.calls).toEqual([]);
  });
});

describe('imageAt: the image lookup both backends answer with', () => {
  const images = ['first', 'second'];
  it('gives image n of a succeeded generation', () => {
    expect(imageAt('g1', 'succeeded', images, '1')).toBe('second');
  });
  it.each([
    ['running', '0', ErrorCode.CONFLICT, 'generation g1 is running; images exist once it has succeeded'],
    ['succeeded', '2', ErrorCode.NOT_FOUND, 'generation g1 has no image 2 (it has 2)'],
    ['succeeded', '-1', ErrorCode.NOT_FOUND, 'generation g1 has no image -1 (it has 2)'],
    ['succeeded', '0x1', ErrorCode.NOT_FOUND, 'generation g1 has no image 0x1 (it has 2)'],
  ] as const)('status %s, index %s: %s', (status, index, code, message) => {
    expect(() => imageAt('g1', status, images, index)).toThrow(expect.objectContaining({ code, message }));
  });
});
