/**
 * Where initializer bytes go: inline in the model file, or appended to an external data file as
 * exporters do for graphs over protobuf's 2 GB limit (`unet/model.onnx` + `unet/weights.pb`).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import type { TensorMessage } from './onnx-proto';

export interface WeightSink {
  place(tensor: TensorMessage, bytes: Uint8Array): TensorMessage;
  close(): void;
}

export class InlineWeightSink implements WeightSink {
  place(tensor: TensorMessage, bytes: Uint8Array): TensorMessage {
    return { ...tensor, raw_data: bytes };
  }

  close(): void {}
}

/** Tensors at or above `minBytes` go to `filePath`; small ones (shape constants, norms) stay inline. */
export class ExternalWeightSink implements WeightSink {
  private readonly fd: number;
  private offset = 0;
  private closed = false;
  private readonly location: string;

  constructor(
    filePath: string,
    private readonly minBytes = 1024,
  ) {
    this.fd = openSync(filePath, 'w');
    this.location = basename(filePath);
  }

  place(tensor: TensorMessage, bytes: Uint8Array): TensorMessage {
    if (bytes.byteLength < this.minBytes) return { ...tensor, raw_data: bytes };
    writeSync(this.fd, bytes);
    const placed: TensorMessage = {
      ...tensor,
      data_location: 1,
      external_data: [
        { key: 'location', value: this.location },
        { key: 'offset', value: String(this.offset) },
        { key: 'length', value: String(bytes.byteLength) },
      ],
    };
    this.offset += bytes.byteLength;
    return placed;
  }

  /** Idempotent, so a failed build can close in a `finally` after a successful one already did. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}
