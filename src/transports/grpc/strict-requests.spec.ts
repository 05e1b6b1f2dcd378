import { status, type ServiceError } from '@grpc/grpc-js';
import { ApiError, ErrorCode } from '../../common/error-code';
import { unary } from './grpc-handlers';
import { loadProtos } from './grpc-protos';
import { MalformedRequest, messageShapes, strictRequests, wireFormatProblem } from './strict-requests';

const protos = loadProtos();
const shapes = messageShapes(protos.definition);
const GENERATE = 'afrofashion.v1.GenerateRequest';
const TOKENIZE = 'afrofashion.v1.TokenizeRequest';

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}
const tag = (field: number, wireType: number): number[] => varint(field * 8 + wireType);
const problem = (type: string, bytes: number[]): string | undefined => wireFormatProblem(Uint8Array.from(bytes), type, shapes);

describe('wireFormatProblem', () => {
  it('accepts whatever the .proto serialiser writes, empty messages and unknown fields', () => {
    const serialize = protos.diffusion.service['Generate']!.requestSerialize;
    const request = { prompt: 'robe en wax 👗', width: 64, guidanceScale: 7.5, seed: '18446744073709551615', attributes: { garment: 'dress', fabrics: ['kente', 'wax'] } };
    expect(wireFormatProblem(serialize(request), GENERATE, shapes)).toBeUndefined();
    expect(problem(GENERATE, [])).toBeUndefined();
    // An unknown varint, fixed64, length-delimited and fixed32 field, then width.
    expect(problem(GENERATE, [...tag(100, 0), 7, ...tag(101, 1), 1, 2, 3, 4, 5, 6, 7, 8, ...tag(102, 2), 1, 0xff, ...tag(103, 5), 1, 2, 3, 4, ...tag(4, 0), 64])).toBeUndefined();
  });

  it('accepts repeated numbers packed or not', () => {
    const response = 'afrofashion.v1.TokenizeResponse';
    expect(problem(response, [...tag(1, 2), 3, 1, 0xac, 0x02])).toBeUndefined();
    expect(problem(response, [...tag(1, 0), 1, ...tag(1, 0), 2])).toBeUndefined();
    expect(problem(response, [...tag(1, 2), 2, 1, 0x80])).toMatch(/a packed value of field 1 \(ids\) is cut off/);
  });

  it.each([
    ['a length past the end', [...tag(1, 2), 0x7f, 0x61], /^field 1 \(text\) needs 127 bytes; 1 are left$/],
    ['a tag alone', [...tag(1, 2)], /^field 1 \(text\)'s length is cut off$/],
    ['a cut-off varint', [...tag(3, 0), 0x80], /^field 3's value is cut off$/],
    ['an 11-byte varint', [...tag(3, 0), ...Array.from({ length: 10 }, () => 0xff), 1], /varint longer than 10 bytes/],
    ['a cut-off fixed32', [...tag(9, 5), 1, 2], /^field 9 needs 4 bytes; 2 are left$/],
    ['the wrong wire type for a string', [...tag(1, 5), 1, 2, 3, 4], /^field 1 \(text\) has wire type 5; its declared type is sent with wire type 2$/],
    ['field number 0', [0, 1], /^a tag names field number 0$/],
    ['a group', [...tag(1, 3)], /wire type 3, which this API does not use/],
    ['wire type 6', [...tag(1, 6)], /wire type 6, which this API does not use/],
    ['invalid UTF-8', [...tag(1, 2), 2, 0xc3, 0x28], /^field 1 \(text\) is not valid UTF-8$/],
  ])('refuses %s', (_name, bytes, message) => {
    expect(problem(TOKENIZE, bytes)).toMatch(message);
  });

  it('checks nested messages against their own type', () => {
    expect(problem(GENERATE, [...tag(15, 2), 2, ...tag(2, 0), 1])).toMatch(/^field 2 \(fabrics\) has wire type 0/);
    expect(problem(GENERATE, [...tag(15, 2), 3, ...tag(1, 2), 5, 0x61])).toMatch(/^field 1 \(garment\) needs 5 bytes; 1 are left$/);
    expect(problem(GENERATE, [...tag(15, 2), 3, ...tag(1, 2), 1, 0x61])).toBeUndefined();
  });
});

describe('strictRequests', () => {
  const service = strictRequests(protos.prompts.service, protos.definition);
  const deserialize = service['Tokenize']!.requestDeserialize;

  it('decodes a valid request as before', () => {
    expect(deserialize(Buffer.from([...tag(1, 2), 1, 0x61]))).toEqual({ text: 'a' });
  });

  it('hands over a malformed one as a MalformedRequest, answered INVALID_ARGUMENT naming request', () => {
    const malformed = deserialize(Buffer.from([...tag(1, 2), 0x7f, 0x61]));
    expect(malformed).toBeInstanceOf(MalformedRequest);
    const error = (malformed as MalformedRequest).toApiError();
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(error.details).toMatchObject({ field: 'request' });
    expect(error.message).toBe('request: is not a valid afrofashion.v1.TokenizeRequest message (field 1 (text) needs 127 bytes; 1 are left)');
  });

  it('keeps the paths and the other (de)serialisers', () => {
    expect(service['Tokenize']!.path).toBe('/afrofashion.v1.PromptService/Tokenize');
    expect(service['Tokenize']!.responseSerialize).toBe(protos.prompts.service['Tokenize']!.responseSerialize);
  });

  it('is answered by the handler wrapper without running the handler', async () => {
    const handler = jest.fn();
    const error = await new Promise<ServiceError | null>((resolve) => {
      const call = { request: new MalformedRequest(TOKENIZE, 'field 1 (text) is not valid UTF-8'), getPath: () => '/afrofashion.v1.PromptService/Tokenize' };
      unary(handler)(call as never, (e: unknown) => resolve(e as ServiceError | null));
    });
    expect(handler).not.toHaveBeenCalled();
    expect(error).toMatchObject({ code: status.INVALID_ARGUMENT, details: 'request: is not a valid afrofashion.v1.TokenizeRequest message (field 1 (text) is not valid UTF-8)' });
    expect(error?.metadata.get('error-field')).toEqual(['request']);
  });
});
