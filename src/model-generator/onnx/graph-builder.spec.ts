import { OnnxSession } from '../../engine/runtime/onnx-runtime';
import { tensor } from '../../engine/runtime/tensor';
import { GraphBuilder } from './graph-builder';
import { decodeModel, encodeModel } from './onnx-proto';
import { add } from './ops/elementwise';
import { conv, matmul } from './ops/neural';
import { reshape } from './ops/tensor-shape';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('GraphBuilder', () => {
  it('writes a model onnxruntime loads and runs, with the declared dynamic dimension', async () => {
    const g = new GraphBuilder('affine');
    const x = g.input('x', 'float32', ['batch', 3]);
    const w = g.initializer('w', 'float32', [3, 2], Float32Array.from([1, 2, 3, 4, 5, 6]));
    const b = g.initializer('b', 'float32', [2], Float32Array.from([0.5, -0.5]));
    g.output(add(g, matmul(g, x, w), b), 'y');
    const path = join(mkdtempSync(join(tmpdir(), 'afd-graph-')), 'model.onnx');
    writeFileSync(path, encodeModel(g.build()));

    const session = await OnnxSession.load(path, { device: 'cpu' });
    expect(session.inputs).toEqual([{ name: 'x', type: 'float32', shape: ['batch', 3] }]);
    const { y } = await session.run({ x: tensor('float32', Float32Array.from([1, 0, 0, 1, 1, 1]), [2, 3]) });
    expect(y?.dims).toEqual([2, 2]);
    // [1,0,0]·w + b = [1.5, 1.5]; [1,1,1]·w + b = [9.5, 11.5]
    expect(Array.from(y?.data as Float32Array)).toEqual([1.5, 1.5, 9.5, 11.5]);
    await session.release();
  });

  it('encodes deterministically and round-trips through the protobuf decoder', () => {
    const build = (): Uint8Array => {
      const g = new GraphBuilder('same');
      const x = g.input('x', 'float16', ['batch', 4]);
      g.output(matmul(g, x, g.initializer('w', 'float16', [4, 4], new Float32Array(16).fill(0.25))), 'y');
      return encodeModel(g.build());
    };
    const bytes = build();
    expect(Buffer.from(build()).equals(Buffer.from(bytes))).toBe(true);
    const model = decodeModel(bytes);
    expect(model.graph?.input?.map((i) => i.name)).toEqual(['x']);
    expect(model.graph?.initializer?.[0]?.raw_data?.byteLength).toBe(32);
  });

  describe('checks shapes and types as the graph is built', () => {
    it('rejects a MatMul whose inner dimensions differ, naming both shapes', () => {
      const g = new GraphBuilder('bad');
      const x = g.input('x', 'float32', ['batch', 3]);
      const w = g.initializer('w', 'float32', [4, 2], new Float32Array(8));
      expect(() => matmul(g, x, w)).toThrow(/MatMul: inner dimensions differ.*\[batch, 3\].*\[4, 2\]/);
    });

    it('rejects operands of different element types', () => {
      const g = new GraphBuilder('bad');
      const x = g.input('x', 'float32', [2, 2]);
      const y = g.input('y', 'float16', [2, 2]);
      expect(() => add(g, x, y)).toThrow(/Add/);
    });

    it('rejects shapes that do not broadcast', () => {
      const g = new GraphBuilder('bad');
      expect(() => add(g, g.input('x', 'float32', [2, 3]), g.input('y', 'float32', [4]))).toThrow(/do not broadcast/);
    });

    it('rejects a convolution whose weight does not match the input channels', () => {
      const g = new GraphBuilder('bad');
      const x = g.input('x', 'float32', ['batch', 4, 'height', 'width']);
      const w = g.initializer('w', 'float32', [8, 3, 3, 3], new Float32Array(8 * 27));
      expect(() => conv(g, x, w, undefined, { pads: 1 })).toThrow(/Conv/);
    });

    it('rejects a reshape that changes the element count', () => {
      const g = new GraphBuilder('bad');
      expect(() => reshape(g, g.input('x', 'float32', [2, 6]), [5, 2])).toThrow(/Reshape/);
    });

    it('rejects an initializer whose data does not fill its dimensions', () => {
      const g = new GraphBuilder('bad');
      expect(() => g.initializer('w', 'float32', [3, 3], new Float32Array(8))).toThrow(/initializer w/);
    });

    it('rejects a value name used twice', () => {
      const g = new GraphBuilder('bad');
      g.input('x', 'float32', [1]);
      expect(() => g.input('x', 'float32', [1])).toThrow(/used twice/);
    });
  });
});
