/**
 * Which image sizes a UNet graph can take, read from the graph itself.
 *
 * A torch → ONNX export of a diffusers UNet halves the latents once per down block but the last
 * (a Conv with stride 2), and on the way up doubles them with a Resize whose scales were fixed
 * at export time (`scale_factor=2`), then Concats each result with the skip connection saved
 * before the matching halving. When a latent side is not divisible by 2^(halvings), a halving
 * rounds up, the doubling overshoots the skip by one, and the Concat fails inside onnxruntime.
 *
 * The rule: with every up-sampling Resize (or Upsample) on constant scales, latent sides must be
 * multiples of 2^k, k the number of stride-2 Convs (or pools); when some up-sampling takes its
 * output size from a tensor's shape at run time, sides only need to be whole latents (k = 0).
 * Images are 8 latents' worth per side, so real SD 1.x exports (k = 3) take multiples of 64.
 *
 * The file is read with a protobuf wire-format walk that decodes only the nodes' op types, inputs
 * and stride attributes and the constants' names, skipping weights (a graph with its weights
 * inline may be gigabytes): positional reads, little memory.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export interface SizeGranularity {
  /** Latent sides must be multiples of this (2^downsamplings, or 1). */
  readonly latentMultiple: number;
  /** Stride-2 Convs and pools: how many times the latents are halved. */
  readonly downsamplings: number;
  /** Whether every up-sampling uses scales fixed in the graph (the case that constrains the size). */
  readonly fixedUpsampling: boolean;
}

/** Image pixels per latent along a side (the VAE's factor, as everywhere in the engine). */
const LATENT_SCALE = 8;

/** The multiple image widths and heights must be for this UNet. */
export function imageSizeMultiple(granularity: SizeGranularity): number {
  return LATENT_SCALE * granularity.latentMultiple;
}

interface NodeInfo {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly strides: readonly number[];
}

/** Reads `graphFile` (a model.onnx) and finds its size granularity. Throws on an unreadable or malformed file. */
export function unetSizeGranularity(graphFile: string): SizeGranularity {
  const fd = openSync(graphFile, 'r');
  try {
    const reader = new PositionalReader(fd, fstatSync(fd).size);
    const { nodes, constants } = readGraph(reader);
    return granularityOf(nodes, constants);
  } finally {
    closeSync(fd);
  }
}

function granularityOf(nodes: readonly NodeInfo[], constants: ReadonlySet<string>): SizeGranularity {
  for (const n of nodes) if (n.opType === 'Constant') for (const o of n.outputs) (constants as Set<string>).add(o);
  let downsamplings = 0;
  let upsamplings = 0;
  let dynamic = false;
  for (const n of nodes) {
    if ((n.opType === 'Conv' || n.opType === 'AveragePool' || n.opType === 'MaxPool') && n.strides.length > 0 && n.strides.every((s) => s === 2)) downsamplings += 1;
    if (n.opType === 'Upsample') upsamplings += 1;
    if (n.opType === 'Resize') {
      upsamplings += 1;
      const scales = n.inputs[2] ?? '';
      const sizes = n.inputs[3] ?? '';
      // Output sizes from the graph's own shapes follow the skip connections whatever the input size.
      if (sizes !== '' ? !constants.has(sizes) : scales === '' || !constants.has(scales)) dynamic = true;
    }
  }
  const fixedUpsampling = upsamplings > 0 && !dynamic;
  return { latentMultiple: fixedUpsampling ? 2 ** downsamplings : 1, downsamplings, fixedUpsampling };
}

// ---------------------------------------------------------------------------------------------
// Protobuf wire format, just enough for ModelProto.graph (7) → GraphProto.node (1) and initializer (5).

/** Positional reads through a 64 KiB window, so walking many small fields costs few system calls. */
class PositionalReader {
  private static readonly WINDOW = 1 << 16;
  private window: Buffer = Buffer.alloc(0);
  private windowStart = 0;

  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}

  bytes(position: number, length: number): Buffer {
    if (position + length > this.size) throw new RangeError('truncated protobuf');
    if (length > PositionalReader.WINDOW / 2) return this.read(position, length);
    this.cover(position, length);
    return Buffer.from(this.window.subarray(position - this.windowStart, position - this.windowStart + length));
  }

  /** A varint at `position`: its value (exact up to 2^53) and the position after it. */
  varint(position: number): [value: number, next: number] {
    this.cover(position, Math.min(10, this.size - position));
    const [value, used] = decodeVarint(this.window, position - this.windowStart);
    return [value, this.windowStart + used];
  }

  private cover(position: number, length: number): void {
    if (position >= this.windowStart && position + length <= this.windowStart + this.window.length) return;
    this.windowStart = position;
    this.window = this.read(position, Math.min(PositionalReader.WINDOW, this.size - position));
  }

  private read(position: number, length: number): Buffer {
    const out = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, out, done, length - done, position + done);
      if (n === 0) throw new RangeError('truncated protobuf');
      done += n;
    }
    return out;
  }
}

function decodeVarint(buffer: Uint8Array, position: number): [value: number, next: number] {
  let value = 0;
  let scale = 1;
  for (let i = position; i < buffer.length && i < position + 10; i++) {
    const byte = buffer[i] as number;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, i + 1];
    scale *= 128;
  }
  throw new RangeError('malformed varint');
}

/** Calls `visit(field, wireType, valueStart, valueEnd)` for each field in [start, end) of a file. */
function walk(reader: PositionalReader, start: number, end: number, visit: (field: number, wireType: number, from: number, to: number) => void): void {
  let p = start;
  while (p < end) {
    const [tag, afterTag] = reader.varint(p);
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    let from = afterTag;
    let to: number;
    if (wireType === 0) to = reader.varint(afterTag)[1];
    else if (wireType === 1) to = afterTag + 8;
    else if (wireType === 5) to = afterTag + 4;
    else if (wireType === 2) {
      const [length, afterLength] = reader.varint(afterTag);
      from = afterLength;
      to = afterLength + length;
    } else throw new RangeError(`unsupported protobuf wire type ${wireType}`);
    if (to > end) throw new RangeError('truncated protobuf');
    visit(field, wireType, from, to);
    p = to;
  }
}

/** The same walk over bytes in memory (a node is small). */
function walkBuffer(buffer: Buffer, visit: (field: number, wireType: number, value: Buffer) => void): void {
  let p = 0;
  while (p < buffer.length) {
    const [tag, afterTag] = decodeVarint(buffer, p);
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    let from = afterTag;
    let to: number;
    if (wireType === 0) to = decodeVarint(buffer, afterTag)[1];
    else if (wireType === 1) to = afterTag + 8;
    else if (wireType === 5) to = afterTag + 4;
    else if (wireType === 2) {
      const [length, afterLength] = decodeVarint(buffer, afterTag);
      from = afterLength;
      to = afterLength + length;
    } else throw new RangeError(`unsupported protobuf wire type ${wireType}`);
    if (to > buffer.length) throw new RangeError('truncated protobuf');
    visit(field, wireType, buffer.subarray(from, to));
    p = to;
  }
}

function readGraph(reader: PositionalReader): { nodes: NodeInfo[]; constants: Set<string> } {
  const nodes: NodeInfo[] = [];
  const constants = new Set<string>();
  let sawGraph = false;
  walk(reader, 0, reader.size, (field, wireType, from, to) => {
    if (field !== 7 || wireType !== 2) return;
    sawGraph = true;
    walk(reader, from, to, (gField, gWire, gFrom, gTo) => {
      if (gWire !== 2) return;
      if (gField === 1) nodes.push(readNode(reader.bytes(gFrom, gTo - gFrom)));
      else if (gField === 5) {
        // TensorProto.name (8); its data (raw_data and the typed lists) is skipped unread.
        walk(reader, gFrom, gTo, (tField, tWire, tFrom, tTo) => {
          if (tField === 8 && tWire === 2) constants.add(reader.bytes(tFrom, tTo - tFrom).toString('utf8'));
        });
      }
    });
  });
  if (!sawGraph) throw new RangeError('no graph in the model file');
  return { nodes, constants };
}

function readNode(bytes: Buffer): NodeInfo {
  const inputs: string[] = [];
  const outputs: string[] = [];
  let opType = '';
  let strides: number[] = [];
  walkBuffer(bytes, (field, wireType, value) => {
    if (wireType !== 2) return;
    if (field === 1) inputs.push(value.toString('utf8'));
    else if (field === 2) outputs.push(value.toString('utf8'));
    else if (field === 4) opType = value.toString('utf8');
    else if (field === 5) {
      const attribute = readIntsAttribute(value);
      if (attribute.name === 'strides') strides = attribute.ints;
    }
  });
  return { opType, inputs, outputs, strides };
}

/** AttributeProto's name (1) and ints (8, packed or not). */
function readIntsAttribute(bytes: Buffer): { name: string; ints: number[] } {
  let name = '';
  const ints: number[] = [];
  walkBuffer(bytes, (field, wireType, value) => {
    if (field === 1 && wireType === 2) name = value.toString('utf8');
    if (field === 8 && wireType === 0) ints.push(decodeVarint(value, 0)[0]);
    if (field === 8 && wireType === 2) {
      let p = 0;
      while (p < value.length) {
        const [v, next] = decodeVarint(value, p);
        ints.push(v);
        p = next;
      }
    }
  });
  return { name, ints };
}
