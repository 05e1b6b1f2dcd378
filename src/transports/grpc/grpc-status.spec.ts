import { status } from '@grpc/grpc-js';
import { ApiError, ErrorCode, invalidArgument } from '../../common/error-code';
import { PoolError } from '../../pool';
import { GRPC_STATUS, toServiceError } from './grpc-status';

describe('toServiceError', () => {
  it('maps every API error code to a gRPC status', () => {
    for (const code of Object.values(ErrorCode)) expect(typeof GRPC_STATUS[code]).toBe('number');
    expect(GRPC_STATUS[ErrorCode.GONE]).toBe(status.NOT_FOUND);
    expect(GRPC_STATUS[ErrorCode.CONFLICT]).toBe(status.FAILED_PRECONDITION);
  });

  it('keeps the message naming the field, and the API code and field in the metadata', () => {
    const error = toServiceError(invalidArgument('width', 'must be a multiple of 8'));
    expect(error).toMatchObject({ code: status.INVALID_ARGUMENT, details: 'width: must be a multiple of 8' });
    expect(error.metadata.get('error-code')).toEqual(['INVALID_ARGUMENT']);
    expect(error.metadata.get('error-field')).toEqual(['width']);
  });

  it('says when to retry a RESOURCE_EXHAUSTED, in whole seconds', () => {
    const error = toServiceError(new ApiError(ErrorCode.RESOURCE_EXHAUSTED, 'queue full', {}, 1500));
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(error.metadata.get('retry-after')).toEqual(['2']);
  });

  it('translates pool errors and hides unknown ones', () => {
    expect(toServiceError(new PoolError('SHUTTING_DOWN', 'the pool is shutting down')).code).toBe(status.UNAVAILABLE);
    expect(toServiceError(new Error('secret stack detail'))).toMatchObject({ code: status.INTERNAL, details: 'internal error' });
  });

  it('bounds the message and the field it sends in trailers, whatever the error echoes', () => {
    const huge = 'i'.repeat(100_000);
    const error = toServiceError(new ApiError(ErrorCode.NOT_FOUND, `generation ${huge} does not exist`, { field: huge }));
    expect(error.details.length).toBeLessThanOrEqual(1100);
    expect(error.details).toMatch(/^generation i+… \(100026 characters\)$/);
    expect(String(error.metadata.get('error-field')[0]).length).toBeLessThan(100);
  });
});
