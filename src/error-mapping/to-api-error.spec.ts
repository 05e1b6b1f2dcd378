import { Logger } from '@nestjs/common';
import { ModelDirectoryError, ModelFailedError } from '../engine/errors';
import { PoolError } from '../pool';
import { ErrorCode, notFound } from '../common/error-code';
import { toApiError } from './to-api-error';
import { publicDetail, withoutAbsolutePaths } from '../common/public-error-text';

const ABSOLUTE = /(^|[\s'"(:=])\/(srv|home|tmp|work)\//;

describe('toApiError: what a server-side failure tells a client', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('names the checkpoint and the file within it, not the absolute directory, and logs the detail', () => {
    const cause = new ModelDirectoryError('/srv/models/final', 'unet/model.onnx', 'is missing');
    const error = toApiError(new PoolError('MODEL_DIRECTORY_INVALID', `checkpoint "final": ${cause.message}`, { checkpointId: 'final', cause }));
    expect(error).toMatchObject({ code: ErrorCode.MODEL_FAILED, message: 'checkpoint "final": unet/model.onnx: is missing' });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('/srv/models/final'));
  });

  it('keeps no path from an onnxruntime or file-system message', () => {
    const ort = new ModelFailedError('unet', new Error("Load model from /srv/models/final/unet/model.onnx failed:Protobuf parsing failed.\n  at native stack"));
    const fromPool = toApiError(new PoolError('MODEL_FAILED', `checkpoint "final" on cpu: ${ort.message}`, { checkpointId: 'final', cause: ort }));
    expect(fromPool.message).toBe('checkpoint "final": unet failed: Load model from …/unet/model.onnx failed:Protobuf parsing failed.');
    const enoent = new ModelDirectoryError('/home/afd/models/x', 'tokenizer/vocab.json', "is not valid JSON (ENOENT: no such file or directory, open '/home/afd/models/x/tokenizer/vocab.json')");
    expect(toApiError(enoent).message).not.toMatch(ABSOLUTE);
    expect(toApiError(enoent).message).toBe("tokenizer/vocab.json: is not valid JSON (ENOENT: no such file or directory, open '…/tokenizer/vocab.json')");
  });

  it('hides the pool\'s internal errors behind the checkpoint name', () => {
    const error = toApiError(new PoolError('INTERNAL', 'checkpoint "final" on cpu: TypeError: cannot read properties of undefined (reading \'rows\')', { checkpointId: 'final' }));
    expect(error).toMatchObject({ code: ErrorCode.INTERNAL, message: 'checkpoint "final": internal error (the server log has the details)' });
  });

  it('answers a stack overflow (a request nested too deeply) as a 400 naming the rule, not the runtime text', () => {
    let overflow: unknown;
    const recurse = (n: number): number => recurse(n + 1) + 1;
    try {
      recurse(0);
    } catch (e) {
      overflow = e;
    }
    const error = toApiError(overflow);
    expect(error).toMatchObject({ code: ErrorCode.INVALID_ARGUMENT, message: 'request: is nested too deeply to process', details: { field: 'request', rule: 'nesting depth' } });
    expect(error.message).not.toMatch(/call stack/i);
  });

  it('echoes a bounded id in NOT_FOUND', () => {
    const error = notFound('generation', 'a'.repeat(100_000));
    expect(error.message).toBe(`generation ${'a'.repeat(64)}… (100000 characters) does not exist`);
    expect(String(error.details['id']).length).toBeLessThan(100);
  });
});

describe('withoutAbsolutePaths', () => {
  it.each([
    ['/srv/models/final/unet/model.onnx', '…/unet/model.onnx'],
    ["open '/tmp/x/vocab.json'", "open '…/x/vocab.json'"],
    ['at C:\\models\\final\\unet\\model.onnx', 'at …/unet/model.onnx'],
    ['latents are 1/8 of the image', 'latents are 1/8 of the image'],
    ['unet/model.onnx: is missing', 'unet/model.onnx: is missing'],
  ])('%s → %s', (text, expected) => expect(withoutAbsolutePaths(text)).toBe(expected));

  it('keeps only the first line of a runtime message', () => {
    expect(publicDetail('first\n    at /srv/app/dist/main.js:1:2')).toBe('first');
  });
});
