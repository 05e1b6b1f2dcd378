/**
 * A strict reading of the protobuf wire format before a request is decoded. protobufjs is lenient:
 * it reads a string whose length runs past the end of the message as the bytes that are there,
 * reads a field sent with another wire type as if it had the declared one, and replaces invalid
 * UTF-8. Such a request is a truncated or corrupted message; decoding it anyway would run another
 * request than the one the client meant. So each request is walked once against its message type:
 * every tag, varint, length and nested message must be well formed, known fields must carry their
 * declared wire type and strings must be UTF-8 (unknown fields are skipped, as protobuf allows).
 *
 * A request that fails is not thrown out by grpc-js (which answers any decoding failure with
 * INTERNAL, a server fault): it reaches the handler as a MalformedRequest, answered INVALID_ARGUMENT
 * naming `request` (see grpc-handlers.ts).
 */
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { invalidArgument, type ApiError } from '../../common/error-code';

/** A request that is not a valid encoding of its message type. */
export class MalformedRequest {
  constructor(
    readonly messageType: string,
    readonly problem: string,
  ) {}

  toApiError(): ApiError {
    return invalidArgument('request', `is not a valid ${this.messageType} message (${this.problem})`);
  }
}

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;
const MAX_NESTING = 32;

interface FieldShape {
  readonly name: string;
  readonly wireType: number;
  /** Repeated numbers may also arrive packed (length-delimited). */
  readonly packable: boolean;
  readonly utf8: boolean;
  /** The full name of a message field's type. */
  readonly message?: string;
}

type MessageShapes = ReadonlyMap<string, ReadonlyMap<number, FieldShape>>;

interface DescriptorField {
  readonly name: string;
  readonly number: number;
  readonly label: string;
  readonly type: string;
  readonly typeName: string;
}

const WIRE_TYPES: Readonly<Record<string, number>> = {
  TYPE_DOUBLE: FIXED64,
  TYPE_FIXED64: FIXED64,
  TYPE_SFIXED64: FIXED64,
  TYPE_FLOAT: FIXED32,
  TYPE_FIXED32: FIXED32,
  TYPE_SFIXED32: FIXED32,
  TYPE_INT32: VARINT,
  TYPE_INT64: VARINT,
  TYPE_UINT32: VARINT,
  TYPE_UINT64: VARINT,
  TYPE_SINT32: VARINT,
  TYPE_SINT64: VARINT,
  TYPE_BOOL: VARINT,
  TYPE_ENUM: VARINT,
  TYPE_STRING: LENGTH_DELIMITED,
  TYPE_BYTES: LENGTH_DELIMITED,
  TYPE_MESSAGE: LENGTH_DELIMITED,
};

/** Every message type of a proto-loader package definition, as the fields the wire check needs. */
export function messageShapes(definition: PackageDefinition): MessageShapes {
  const shapes = new Map<string, Map<number, FieldShape>>();
  for (const [fullName, entry] of Object.entries(definition)) {
    const type = (entry as { format?: string; type?: { field?: DescriptorField[] } }).type;
    if ((entry as { format?: string }).format !== 'Protocol Buffer 3 DescriptorProto' || !type) continue;
    const fields = new Map<number, FieldShape>();
    for (const field of type.field ?? []) {
      const wireType = WIRE_TYPES[field.type];
      if (wireType === undefined) throw new Error(`strict-requests: ${fullName}.${field.name} has unsupported type ${field.type}`);
      fields.set(field.number, {
        name: field.name,
        wireType,
        packable: field.label === 'LABEL_REPEATED' && wireType !== LENGTH_DELIMITED,
        utf8: field.type === 'TYPE_STRING',
        ...(field.type === 'TYPE_MESSAGE' ? { message: resolveTypeName(definition, fullName, field.typeName) } : {}),
      });
    }
    shapes.set(fullName, fields);
  }
  return shapes;
}

/** A field's type name as written in the .proto, resolved from the scope of the message that declares it. */
function resolveTypeName(definition: PackageDefinition, scope: string, typeName: string): string {
  if (typeName.startsWith('.')) return typeName.slice(1);
  const parts = scope.split('.');
  for (let i = parts.length; i >= 0; i--) {
    const candidate = [...parts.slice(0, i), typeName].join('.');
    if (candidate in definition) return candidate;
  }
  throw new Error(`strict-requests: ${scope} refers to unknown type ${typeName}`);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

class Reader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    readonly start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  /** A varint as a number (exact up to 2^53; only lengths and tags are used as values). */
  varint(what: string): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new WireError(`${what} is cut off`);
      const byte = this.bytes[this.pos++] as number;
      value += (byte & 0x7f) * scale;
      scale *= 128;
      if ((byte & 0x80) === 0) return value;
    }
    throw new WireError(`${what} is a varint longer than 10 bytes`);
  }

  skip(length: number, what: string): void {
    if (length > this.end - this.pos) throw new WireError(`${what} needs ${length} bytes; ${this.end - this.pos} are left`);
    this.pos += length;
  }
}

class WireError extends Error {}

/** Why `bytes` is not a valid encoding of `messageType`, or undefined when it is. */
export function wireFormatProblem(bytes: Uint8Array, messageType: string, shapes: MessageShapes): string | undefined {
  try {
    checkMessage(new Reader(bytes, 0, bytes.length), messageType, shapes, 0);
    return undefined;
  } catch (error) {
    if (error instanceof WireError) return error.message;
    throw error;
  }
}

function checkMessage(reader: Reader, messageType: string, shapes: MessageShapes, depth: number): void {
  if (depth > MAX_NESTING) throw new WireError(`messages nest deeper than ${MAX_NESTING}`);
  const fields = shapes.get(messageType);
  if (!fields) throw new Error(`strict-requests: unknown message type ${messageType}`);
  while (reader.pos < reader.end) {
    const tag = reader.varint('a tag');
    const number = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (number < 1 || number > 536_870_911) throw new WireError(`a tag names field number ${number}`);
    const field = fields.get(number);
    const label = field ? `field ${number} (${field.name})` : `field ${number}`;
    if (wireType !== VARINT && wireType !== FIXED64 && wireType !== LENGTH_DELIMITED && wireType !== FIXED32) {
      throw new WireError(`${label} has wire type ${wireType}, which this API does not use`);
    }
    if (field && wireType !== field.wireType && !(field.packable && wireType === LENGTH_DELIMITED)) {
      throw new WireError(`${label} has wire type ${wireType}; its declared type is sent with wire type ${field.wireType}`);
    }
    if (wireType === VARINT) reader.varint(`${label}'s value`);
    else if (wireType === FIXED64) reader.skip(8, label);
    else if (wireType === FIXED32) reader.skip(4, label);
    else {
      const length = reader.varint(`${label}'s length`);
      const start = reader.pos;
      reader.skip(length, label);
      if (field?.utf8 && !isUtf8(reader.bytes.subarray(start, reader.pos))) throw new WireError(`${label} is not valid UTF-8`);
      if (field?.message) checkMessage(new Reader(reader.bytes, start, reader.pos), field.message, shapes, depth + 1);
      if (field?.packable) checkPacked(new Reader(reader.bytes, start, reader.pos), field, label);
    }
  }
}

function checkPacked(reader: Reader, field: FieldShape, label: string): void {
  const size = field.wireType === FIXED64 ? 8 : field.wireType === FIXED32 ? 4 : 0;
  if (size > 0) {
    if ((reader.end - reader.start) % size !== 0) throw new WireError(`${label} is packed in ${reader.end - reader.start} bytes, not a multiple of ${size}`);
    return;
  }
  while (reader.pos < reader.end) reader.varint(`a packed value of ${label}`);
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The full name of a method's request type: proto-loader gives its short name, resolved from the service's scope. */
function requestTypeName(definition: PackageDefinition, method: MethodDefinition<unknown, unknown>): string {
  const shortName = (method as { requestType?: { type?: { name?: string } } }).requestType?.type?.name;
  const service = /^\/([^/]+)\//.exec(method.path)?.[1];
  if (!shortName || !service) throw new Error(`strict-requests: ${method.path} has no request type`);
  return resolveTypeName(definition, service, shortName);
}

/**
 * The service with every request checked before it is decoded: a request that is not valid is handed
 * to the handler as a MalformedRequest instead of its decoded message.
 */
export function strictRequests(service: ServiceDefinition, definition: PackageDefinition): ServiceDefinition {
  const shapes = messageShapes(definition);
  const strict: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(service) as Array<[string, MethodDefinition<unknown, unknown> & { requestType?: unknown }]>) {
    const messageType = requestTypeName(definition, method);
    const decode = method.requestDeserialize;
    strict[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer): unknown => {
        const problem = wireFormatProblem(bytes, messageType, shapes);
        if (problem !== undefined) return new MalformedRequest(messageType, problem);
        try {
          return decode(bytes);
        } catch (error) {
          return new MalformedRequest(messageType, error instanceof Error ? error.message : String(error));
        }
      },
    };
  }
  return strict as ServiceDefinition;
}
