/**
 * Image to image's inputs under attack (issue 16): init images that are not images, GIFs, SVGs,
 * files and pixel counts over the limits, strengths of 0, 1.5 and NaN, a strength without an image,
 * and an image for a checkpoint without a VAE encoder; on generations and comparisons, as REST JSON,
 * REST multipart, GraphQL and gRPC. Each is a 400 (413 for size) naming the field. The fixtures are
 * built synchronously (zlib), so the tables exist when the specs are defined.
 */
import { status } from '@grpc/grpc-js';
import { crc32, deflateSync } from 'node:zlib';
import type { GraphqlCase } from './graphql-cases';
import type { GrpcCase } from './grpc-cases';
import type { RestCase } from './rest-case';

/** A valid RGB PNG of one colour: IHDR, one deflated IDAT, IEND. */
export function solidPng(width: number, height: number, rgb: readonly [number, number, number] = [200, 32, 45]): Buffer {
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) row.set(rgb, 1 + x * 3);
  return png(width, height, deflateSync(Buffer.concat(Array.from({ length: height }, () => row))));
}

/** A PNG whose header claims width × height over a tiny IDAT: a decompression bomb's header, a few hundred bytes. */
export function pngClaiming(width: number, height: number): Buffer {
  return png(width, height, deflateSync(Buffer.alloc(64)));
}

function png(width: number, height: number, idat: Buffer): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

export const INIT_IMAGES = {
  png: solidPng(16, 16),
  /** A GIF header and a frame's worth of bytes: refused by its signature, never decoded. */
  gif: Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.from([8, 0, 8, 0, 0x80, 0, 0]), Buffer.alloc(32)]),
  svg: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>'),
  text: Buffer.from('a dress, in words: not an image'),
  bomb: pngClaiming(20_000, 20_000),
} as const;

const BAD = 'INVALID_ARGUMENT';
const NOT_AN_IMAGE = /^initImage: must be a PNG, JPEG or WebP image, got unrecognised data/;
const GIF = /^initImage: must be a PNG, JPEG or WebP image, got GIF/;
const SVG = /^initImage: must be a PNG, JPEG or WebP image, got SVG/;
const PIXELS = /^initImage: must have at most 16,777,216 pixels \(4096 × 4096\), got 20000 × 20000/;
const STRENGTH_RANGE = /^strength: must be between 0 and 1, got 1\.5/;
const STRENGTH_ZERO = /^strength: must be greater than 0 and at most 1, got 0/;
const STRENGTH_NAN = /^strength: must be a finite number, got/;
const STRENGTH_ALONE = /^strength: applies only with initImage/;
const NO_ENCODER = /^initImage: needs a checkpoint with a usable VAE encoder; checkpoint "[^"]+" cannot start from an image: the checkpoint has no vae_encoder component/;

const base64 = (bytes: Buffer): string => bytes.toString('base64');
const JSON_TYPE = { 'content-type': 'application/json' };

/** The valid small requests every case changes one thing about, on `checkpoint`. */
function valid(checkpoint: string) {
  return {
    generation: { prompt: 'red kente dress', checkpoint, width: 64, height: 64, steps: 2, seed: 1 },
    comparison: { prompts: ['red kente dress'], checkpoints: [checkpoint], width: 64, height: 64, steps: 2, seed: 1 },
  };
}

/** A multipart/form-data body: the `request` JSON part and file parts. */
export function multipart(request: unknown, files: Readonly<Record<string, Buffer>>): { body: Buffer; headers: Record<string, string> } {
  const boundary = 'afd-init-image-corpus';
  const parts: Buffer[] = [Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="request"\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(request)}\r\n`)];
  for (const [name, bytes] of Object.entries(files)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${name}.png"\r\nContent-Type: application/octet-stream\r\n\r\n`), bytes, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** The same refusal as REST JSON (generation and comparison) and REST multipart (generation and comparison). */
function restCase(name: string, checkpoint: string, patch: Record<string, unknown>, file: Buffer | undefined, status: number, code: string, field: string, message: RegExp): RestCase[] {
  const { generation, comparison } = valid(checkpoint);
  const json = (path: string, body: unknown): Omit<RestCase, 'name'> => ({ method: 'POST', path, headers: JSON_TYPE, body: Buffer.from(JSON.stringify(body)), status, code, field, message });
  const form = (path: string, body: unknown): Omit<RestCase, 'name'> => {
    const { body: bytes, headers } = multipart(body, file ? { initImage: file } : {});
    return { method: 'POST', path, headers, body: bytes, status, code, field, message };
  };
  const inline = file ? { initImage: base64(file) } : {};
  return [
    { name: `generation JSON: ${name}`, ...json('/v1/generations', { ...generation, ...inline, ...patch }) },
    { name: `comparison JSON: ${name}`, ...json('/v1/comparisons', { ...comparison, ...inline, ...patch }) },
    { name: `generation multipart: ${name}`, ...form('/v1/generations', { ...generation, ...patch }) },
    { name: `comparison multipart: ${name}`, ...form('/v1/comparisons', { ...comparison, ...patch }) },
  ];
}

/** Cases on a checkpoint that has a VAE encoder (the demo release's, since it has one). */
export function initImageRestCases(checkpoint: string): RestCase[] {
  const { png, gif, svg, text, bomb } = INIT_IMAGES;
  return [
    ...restCase('initImage not an image', checkpoint, {}, text, 400, BAD, 'initImage', NOT_AN_IMAGE),
    ...restCase('initImage a GIF', checkpoint, {}, gif, 400, BAD, 'initImage', GIF),
    ...restCase('initImage an SVG', checkpoint, {}, svg, 400, BAD, 'initImage', SVG),
    ...restCase('initImage over 4096 × 4096 pixels (a 20000 × 20000 header)', checkpoint, {}, bomb, 413, 'TOO_LARGE', 'initImage', PIXELS),
    ...restCase('strength 0', checkpoint, { strength: 0 }, png, 400, BAD, 'strength', STRENGTH_ZERO),
    ...restCase('strength 1.5', checkpoint, { strength: 1.5 }, png, 400, BAD, 'strength', STRENGTH_RANGE),
    ...restCase('strength "NaN" (JSON has no NaN)', checkpoint, { strength: 'NaN' }, png, 400, BAD, 'strength', STRENGTH_NAN),
    ...restCase('strength without initImage', checkpoint, { strength: 0.6 }, undefined, 400, BAD, 'strength', STRENGTH_ALONE),
    ...restCase('initImage a number', checkpoint, { initImage: 42 }, undefined, 400, BAD, 'initImage', /^initImage: must be a base64 string/).filter((c) => c.name.includes('JSON')),
    ...restCase('initImage an SVG data URL', checkpoint, { initImage: 'data:image/svg+xml;base64,PHN2Zy8+' }, undefined, 400, BAD, 'initImage', /^initImage: must be a PNG, JPEG or WebP image \(the data URL says image\/svg\+xml\)/).filter((c) => c.name.includes('JSON')),
    ...restCase('initImage empty', checkpoint, { initImage: '' }, undefined, 400, BAD, 'initImage', /^initImage: must not be empty/).filter((c) => c.name.includes('JSON')),
  ];
}

/** Files over 8 MiB: multipart only (a JSON body hits the body limit first, naming body). */
export function initImageHugeFileCases(checkpoint: string): RestCase[] {
  const huge = Buffer.concat([INIT_IMAGES.png, Buffer.alloc(8 * 1024 * 1024)]);
  return restCase('initImage file over 8 MiB', checkpoint, {}, huge, 413, 'TOO_LARGE', 'initImage', /^initImage: must be at most 8 MiB/).filter((c) => c.name.includes('multipart'));
}

/** A valid image for a checkpoint without a VAE encoder. */
export function noEncoderRestCases(checkpoint: string): RestCase[] {
  return restCase('initImage on a checkpoint without a VAE encoder', checkpoint, {}, INIT_IMAGES.png, 400, BAD, 'initImage', NO_ENCODER);
}

const GENERATE = 'mutation($input: GenerateInput!) { generate(input: $input) { id } }';
const COMPARE = 'mutation($input: CompareInput!) { compare(input: $input) { id } }';

function graphqlCase(name: string, checkpoint: string, patch: Record<string, unknown>, code: string, field: string | undefined, message: RegExp, status?: number): GraphqlCase[] {
  const { generation, comparison } = valid(checkpoint);
  const operation = (query: string, input: unknown): Omit<GraphqlCase, 'name'> => ({ method: 'POST', headers: JSON_TYPE, body: Buffer.from(JSON.stringify({ query, variables: { input } })), code, field, message, status });
  return [
    { name: `generate: ${name}`, ...operation(GENERATE, { ...generation, ...patch }) },
    { name: `compare: ${name}`, ...operation(COMPARE, { ...comparison, ...patch }) },
  ];
}

export function initImageGraphqlCases(checkpoint: string): GraphqlCase[] {
  const { png, gif, svg, text, bomb } = INIT_IMAGES;
  return [
    ...graphqlCase('initImage not an image', checkpoint, { initImage: base64(text) }, BAD, 'initImage', NOT_AN_IMAGE),
    ...graphqlCase('initImage a GIF', checkpoint, { initImage: base64(gif) }, BAD, 'initImage', GIF),
    ...graphqlCase('initImage an SVG', checkpoint, { initImage: `data:image/png;base64,${base64(svg)}` }, BAD, 'initImage', SVG),
    ...graphqlCase('initImage over 4096 × 4096 pixels', checkpoint, { initImage: base64(bomb) }, 'TOO_LARGE', 'initImage', PIXELS),
    ...graphqlCase('strength 0', checkpoint, { initImage: base64(png), strength: 0 }, BAD, 'strength', STRENGTH_ZERO),
    ...graphqlCase('strength 1.5', checkpoint, { initImage: base64(png), strength: 1.5 }, BAD, 'strength', STRENGTH_RANGE),
    // JSON variables cannot carry NaN: the string is refused by GraphQL's Float, naming the input path.
    ...graphqlCase('strength "NaN"', checkpoint, { initImage: base64(png), strength: 'NaN' }, BAD, undefined, /at "input\.strength"; Float cannot represent non numeric value: "NaN"/, 400),
    ...graphqlCase('strength without initImage', checkpoint, { strength: 0.6 }, BAD, 'strength', STRENGTH_ALONE),
    ...graphqlCase('initImage a number', checkpoint, { initImage: 42 }, BAD, undefined, /at "input\.initImage"; String cannot represent a non string value: 42/, 400),
  ];
}

export function noEncoderGraphqlCases(checkpoint: string): GraphqlCase[] {
  return graphqlCase('initImage on a checkpoint without a VAE encoder', checkpoint, { initImage: base64(INIT_IMAGES.png) }, BAD, 'initImage', NO_ENCODER);
}

function grpcCase(name: string, checkpoint: string, patch: Record<string, unknown>, code: status, field: string, message: RegExp): GrpcCase[] {
  const { generation, comparison } = valid(checkpoint);
  const generate = { ...generation, seed: '1', ...patch };
  const compare = { ...comparison, seed: '1', ...patch };
  return [
    { name: `Generate: ${name}`, service: 'DiffusionService', method: 'Generate', stream: true, request: generate, code, field, message },
    { name: `Compare: ${name}`, service: 'DiffusionService', method: 'Compare', stream: false, request: compare, code, field, message },
  ];
}

export function initImageGrpcCases(checkpoint: string): GrpcCase[] {
  const { png, gif, svg, text, bomb } = INIT_IMAGES;
  const I = status.INVALID_ARGUMENT;
  return [
    ...grpcCase('init_image not an image', checkpoint, { initImage: text }, I, 'initImage', NOT_AN_IMAGE),
    ...grpcCase('init_image a GIF', checkpoint, { initImage: gif }, I, 'initImage', GIF),
    ...grpcCase('init_image an SVG', checkpoint, { initImage: svg }, I, 'initImage', SVG),
    // TOO_LARGE travels as INVALID_ARGUMENT with trailing metadata error-code TOO_LARGE.
    ...grpcCase('init_image over 4096 × 4096 pixels', checkpoint, { initImage: bomb }, I, 'initImage', PIXELS),
    ...grpcCase('init_image empty', checkpoint, { initImage: Buffer.alloc(0) }, I, 'initImage', /^initImage: must not be empty/),
    ...grpcCase('strength 0', checkpoint, { initImage: png, strength: 0 }, I, 'strength', STRENGTH_ZERO),
    ...grpcCase('strength 1.5', checkpoint, { initImage: png, strength: 1.5 }, I, 'strength', STRENGTH_RANGE),
    ...grpcCase('strength NaN', checkpoint, { initImage: png, strength: NaN }, I, 'strength', /^strength: must be a finite number, got NaN/),
    ...grpcCase('strength without init_image', checkpoint, { strength: 0.6 }, I, 'strength', STRENGTH_ALONE),
  ];
}

export function noEncoderGrpcCases(checkpoint: string): GrpcCase[] {
  return grpcCase('init_image on a checkpoint without a VAE encoder', checkpoint, { initImage: INIT_IMAGES.png }, status.INVALID_ARGUMENT, 'initImage', NO_ENCODER);
}
