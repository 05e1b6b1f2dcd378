import { CancelledError, InvalidInputError, ModelDirectoryError, ModelFailedError } from '../../engine/errors';
import { PoolError, fromWireError, poolCodeOf, toWireError } from './pool-errors';

/** What a worker sends: the structured clone of the wire form. */
const acrossThreads = (error: unknown) => fromWireError(structuredClone(toWireError(error)));

describe('errors across the worker boundary', () => {
  it('re-creates engine errors with their class, code and fields', () => {
    const invalid = acrossThreads(new InvalidInputError('height', 'must be a multiple of 8, got 65'));
    expect(invalid).toBeInstanceOf(InvalidInputError);
    expect(invalid).toMatchObject({ code: 'INVALID_INPUT', field: 'height', rule: 'must be a multiple of 8, got 65', message: 'height: must be a multiple of 8, got 65' });

    const directory = acrossThreads(new ModelDirectoryError('/models/ft', 'unet/model.onnx', 'is missing'));
    expect(directory).toBeInstanceOf(ModelDirectoryError);
    expect(directory).toMatchObject({ code: 'MODEL_DIRECTORY_INVALID', file: 'unet/model.onnx', message: '/models/ft: unet/model.onnx: is missing' });

    const failed = acrossThreads(new ModelFailedError('unet', new Error('out of memory')));
    expect(failed).toBeInstanceOf(ModelFailedError);
    expect(failed).toMatchObject({ code: 'MODEL_FAILED', component: 'unet', message: 'unet failed: out of memory' });

    expect(acrossThreads(new CancelledError('stop'))).toMatchObject({ code: 'CANCELLED', message: 'stop' });
  });

  it('maps codes to pool codes; unknown errors are INTERNAL and keep their message', () => {
    expect(poolCodeOf(toWireError(new ModelFailedError('vae_decoder', 'x')))).toBe('MODEL_FAILED');
    expect(poolCodeOf(toWireError(new PoolError('MEMORY_BUDGET_EXCEEDED', 'too big')))).toBe('MEMORY_BUDGET_EXCEEDED');
    const bug = toWireError(new RangeError('index out of range'));
    expect(poolCodeOf(bug)).toBe('INTERNAL');
    expect(fromWireError(bug)).toMatchObject({ name: 'RangeError', message: 'index out of range' });
    expect(poolCodeOf(toWireError('a string'))).toBe('INTERNAL');
  });

  it('PoolError carries its details and can be re-addressed to another job', () => {
    const error = new PoolError('QUEUE_FULL', 'full', { retryAfterMs: 1200, device: 'cpu' });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'PoolError', code: 'QUEUE_FULL', retryAfterMs: 1200, device: 'cpu' });
    expect(error.withJob('job-1', 'ft-20k')).toMatchObject({ code: 'QUEUE_FULL', jobId: 'job-1', checkpointId: 'ft-20k', retryAfterMs: 1200 });
  });
});
