/**
 * Jest runs each spec in its own V8 context, whose Float32Array differs from the one native add-ons
 * create. onnxruntime-node builds output tensors from native arrays and checks them with
 * `instanceof`, which then fails. Sharing the host's typed-array constructors (and Buffer's) with
 * the test context makes the realms agree, as they do in a real process.
 */
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView',
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
];

class NativeTypedArraysEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = NativeTypedArraysEnvironment;
