/** Reads the reference's .npy files: little-endian float32 or int32, C order. */
import { readFileSync } from 'node:fs';

export interface NpyArray {
  readonly shape: number[];
  readonly data: Float32Array | Int32Array;
}

export function readNpy(file: string): NpyArray {
  const bytes = readFileSync(file);
  if (bytes.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(`${file}: not a .npy file`);
  const major = bytes[6] as number;
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLength;
  const header = bytes.toString('latin1', start - headerLength, start);
  if (header.includes("'fortran_order': True")) throw new Error(`${file}: Fortran order`);
  const shape = (/'shape': \(([^)]*)\)/.exec(header)?.[1] ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const body = bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + bytes.length);
  if (header.includes("'<f4'")) return { shape, data: new Float32Array(body) };
  if (header.includes("'<i4'")) return { shape, data: new Int32Array(body) };
  throw new Error(`${file}: only <f4 and <i4 are read, header ${header}`);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} and ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}
