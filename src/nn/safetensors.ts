/**
 * Strict reader and writer for the safetensors format (https://github.com/huggingface/safetensors):
 * an 8-byte little-endian header length N, N bytes of UTF-8 JSON, then the tensor bytes.
 *
 * Hand-written because no maintained JavaScript package both writes the format and validates
 * what it reads as strictly as the reference Rust implementation does (the JS readers we looked
 * at trust the header: overlapping or out-of-range offsets give silent garbage). Model and
 * adapter files come from the network and from users, so every inconsistency is refused with a
 * SafetensorsError naming the problem, never a RangeError or a misread:
 * - header length beyond the file or beyond MAX_HEADER_BYTES; header not valid UTF-8 / JSON, not
 *   an object; duplicate keys anywhere in it (JSON.parse would silently keep the last one);
 * - `__metadata__` not a string→string object;
 * - entries without exactly dtype/shape/data_offsets; unknown or unsupported dtype; shape entries
 *   that are not non-negative safe integers; shape × dtype size ≠ byte length;
 * - data_offsets that are not ordered non-negative integers, that overlap, leave holes, or do not
 *   cover the data region exactly (trailing bytes included).
 * Works on Uint8Array / ArrayBuffer only, so the same code runs in Node and the browser.
 */
import { duplicateKey } from '../core/spec/json.ts';
import { shown } from '../core/spec/fields.ts';
import { decodeBf16, decodeF16, numberToBf16Bits, numberToF16Bits } from './half.ts';

export class SafetensorsError extends Error {
  constructor(message: string) {
    super(`safetensors: ${message}`);
    this.name = 'SafetensorsError';
  }
}

/**
 * The largest header we read. The reference implementation allows 100 MB, but here a 24–44 MB
 * header took 7–20 s and 1–1.7 GB of memory before its answer (the reliability issue), and real
 * headers are far smaller: about 150 bytes per tensor, so even 10,000 tensors in one file is
 * 1.5 MB. 4 MiB (about 60,000 tiny tensors) leaves a wide margin; a header that full takes
 * about a second to read on this project's 2-core machine (JSON.parse and the duplicate-key
 * scan, each about linear in the header).
 */
export const MAX_HEADER_BYTES = 4 * 1024 * 1024;

/** All dtypes the format defines; only DECODABLE ones can be read into Float32Array. */
const KNOWN_DTYPES = new Set(['BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64']);
export type Dtype = 'F32' | 'F16' | 'BF16';
const DTYPE_BYTES: Record<Dtype, number> = { F32: 4, F16: 2, BF16: 2 };

function isDtype(x: unknown): x is Dtype {
  return x === 'F32' || x === 'F16' || x === 'BF16';
}

export interface TensorInfo {
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  /** Offset of the tensor's first byte in the whole file (header included). */
  readonly byteOffset: number;
  readonly byteLength: number;
}

export interface SafetensorsFile {
  readonly metadata: Readonly<Record<string, string>> | null;
  /** In header order (except that JS objects list integer-like names first). */
  readonly tensors: ReadonlyMap<string, TensorInfo>;
  readonly bytes: Uint8Array;
}

export interface DecodedTensor {
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

function asBytes(data: Uint8Array | ArrayBuffer): Uint8Array {
  return data instanceof Uint8Array ? data : new Uint8Array(data);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkShape(name: string, shape: unknown): number[] {
  if (!Array.isArray(shape)) throw new SafetensorsError(`tensor ${JSON.stringify(name)}: shape must be an array`);
  let count = 1;
  for (const d of shape as unknown[]) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new SafetensorsError(`tensor ${JSON.stringify(name)}: shape entry ${JSON.stringify(d)} is not a non-negative integer`);
    }
    count *= d;
    if (!Number.isSafeInteger(count)) throw new SafetensorsError(`tensor ${JSON.stringify(name)}: shape ${JSON.stringify(shape)} is too large`);
  }
  return shape as number[];
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

interface RawEntry {
  name: string;
  dtype: Dtype;
  shape: number[];
  begin: number;
  end: number;
}

function checkEntry(name: string, value: unknown): RawEntry {
  const where = `tensor ${JSON.stringify(name)}`;
  if (name === '') throw new SafetensorsError('a tensor has an empty name');
  if (!isPlainObject(value)) throw new SafetensorsError(`${where}: entry must be an object`);
  const keys = Object.keys(value).sort().join(',');
  if (keys !== 'data_offsets,dtype,shape') throw new SafetensorsError(`${where}: entry must have exactly dtype, shape, data_offsets (has ${keys})`);
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== 'string' || !KNOWN_DTYPES.has(dtype)) throw new SafetensorsError(`${where}: unknown dtype ${JSON.stringify(dtype)}`);
  if (!isDtype(dtype)) throw new SafetensorsError(`${where}: dtype ${dtype} is not supported (F32, F16, BF16 are)`);
  const checkedShape = checkShape(name, shape);
  if (!Array.isArray(offsets) || offsets.length !== 2) throw new SafetensorsError(`${where}: data_offsets must be [begin, end]`);
  const [begin, end] = offsets as unknown[];
  if (typeof begin !== 'number' || typeof end !== 'number' || !Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || begin < 0 || end < begin) {
    throw new SafetensorsError(`${where}: data_offsets ${JSON.stringify(offsets)} must be integers with 0 <= begin <= end`);
  }
  const expected = elementCount(checkedShape) * DTYPE_BYTES[dtype];
  if (end - begin !== expected) {
    throw new SafetensorsError(`${where}: shape ${JSON.stringify(checkedShape)} of ${dtype} needs ${expected} bytes, data_offsets give ${end - begin}`);
  }
  return { name, dtype, shape: checkedShape, begin, end };
}

/** Parse and fully validate the header; tensor data is decoded later, on demand. */
export function parseSafetensors(data: Uint8Array | ArrayBuffer): SafetensorsFile {
  const bytes = asBytes(data);
  if (bytes.byteLength < 8) throw new SafetensorsError(`file is ${bytes.byteLength} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  const headerBytes = high * 2 ** 32 + low;
  if (headerBytes > MAX_HEADER_BYTES) throw new SafetensorsError(`header length ${headerBytes} exceeds the cap of ${MAX_HEADER_BYTES} bytes`);
  if (8 + headerBytes > bytes.byteLength) throw new SafetensorsError(`header length ${headerBytes} runs past the end of the ${bytes.byteLength}-byte file`);

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + headerBytes));
  } catch {
    throw new SafetensorsError('header is not valid UTF-8');
  }
  // Writers pad the header with spaces so the data starts aligned; the JSON itself must open it.
  if (!text.startsWith('{')) throw new SafetensorsError('header must start with "{"');
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new SafetensorsError(`header is not valid JSON (${(e as Error).message})`);
  }
  if (!isPlainObject(header)) throw new SafetensorsError('header must be a JSON object');
  const dup = duplicateKey(text);
  if (dup) throw new SafetensorsError(`header has the key ${shown(dup.key)} twice`);

  let metadata: Record<string, string> | null = null;
  const entries: RawEntry[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (value === null) continue; // the reference implementation reads null as "no metadata"
      if (!isPlainObject(value)) throw new SafetensorsError('__metadata__ must be an object of strings');
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== 'string') throw new SafetensorsError(`__metadata__ value for ${JSON.stringify(k)} must be a string`);
      }
      metadata = value as Record<string, string>;
    } else {
      entries.push(checkEntry(name, value));
    }
  }

  // The tensors must tile the data region: sorted by offset, each starts where the last ended.
  const dataStart = 8 + headerBytes;
  const dataLength = bytes.byteLength - dataStart;
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of sorted) {
    if (e.begin < cursor) throw new SafetensorsError(`tensor ${JSON.stringify(e.name)} overlaps the previous tensor (begins at ${e.begin}, previous ends at ${cursor})`);
    if (e.begin > cursor) throw new SafetensorsError(`tensor ${JSON.stringify(e.name)} leaves a hole in the data (begins at ${e.begin}, previous ends at ${cursor})`);
    if (e.end > dataLength) throw new SafetensorsError(`tensor ${JSON.stringify(e.name)} ends at ${e.end}, past the ${dataLength}-byte data region`);
    cursor = e.end;
  }
  if (cursor !== dataLength) throw new SafetensorsError(`tensors cover ${cursor} of the ${dataLength} data bytes`);

  const tensors = new Map<string, TensorInfo>();
  for (const e of entries) {
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, byteOffset: dataStart + e.begin, byteLength: e.end - e.begin });
  }
  return { metadata, tensors, bytes };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** One tensor decoded to f32 (a copy; the file's bytes are not aliased). */
export function readTensor(file: SafetensorsFile, name: string): DecodedTensor {
  const info = file.tensors.get(name);
  if (info === undefined) throw new SafetensorsError(`no tensor named ${JSON.stringify(name)}`);
  const count = elementCount(info.shape);
  let data: Float32Array;
  if (info.dtype === 'F16') {
    data = decodeF16(file.bytes, info.byteOffset, count);
  } else if (info.dtype === 'BF16') {
    data = decodeBf16(file.bytes, info.byteOffset, count);
  } else if (LITTLE_ENDIAN && (file.bytes.byteOffset + info.byteOffset) % 4 === 0) {
    // Aligned (the usual case: writers pad the header to 8 bytes): one bulk copy.
    data = new Float32Array(file.bytes.buffer, file.bytes.byteOffset + info.byteOffset, count).slice();
  } else {
    data = new Float32Array(count);
    const view = new DataView(file.bytes.buffer, file.bytes.byteOffset + info.byteOffset, info.byteLength);
    for (let i = 0; i < count; i++) data[i] = view.getFloat32(4 * i, true);
  }
  return { dtype: info.dtype, shape: info.shape, data };
}

/** Parse a whole file and decode every tensor. */
export function readSafetensors(data: Uint8Array | ArrayBuffer): { metadata: Readonly<Record<string, string>> | null; tensors: Map<string, DecodedTensor> } {
  const file = parseSafetensors(data);
  const tensors = new Map<string, DecodedTensor>();
  for (const name of file.tensors.keys()) tensors.set(name, readTensor(file, name));
  return { metadata: file.metadata, tensors };
}

export interface TensorToWrite {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
  /** Stored dtype; default F32. F16/BF16 round to nearest even (see half.ts). */
  readonly dtype?: Dtype;
}

/**
 * Serialize tensors (in the given order) and optional string metadata. The header is padded with
 * spaces so the data starts 8-byte aligned, as the reference writer does.
 */
export function writeSafetensors(
  tensors: ReadonlyMap<string, TensorToWrite> | Readonly<Record<string, TensorToWrite>>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array<ArrayBuffer> {
  const list: [string, TensorToWrite][] = tensors instanceof Map ? [...(tensors as ReadonlyMap<string, TensorToWrite>).entries()] : Object.entries(tensors as Readonly<Record<string, TensorToWrite>>);
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new SafetensorsError(`__metadata__ value for ${JSON.stringify(k)} must be a string`);
    }
    header.__metadata__ = metadata;
  }
  let offset = 0;
  for (const [name, t] of list) {
    if (name === '' || name === '__metadata__') throw new SafetensorsError(`cannot write a tensor named ${JSON.stringify(name)}`);
    const dtype = t.dtype ?? 'F32';
    if (!isDtype(dtype)) throw new SafetensorsError(`tensor ${JSON.stringify(name)}: cannot write dtype ${JSON.stringify(dtype)}`);
    const shape = checkShape(name, t.shape);
    const count = elementCount(shape);
    if (t.data.length !== count) throw new SafetensorsError(`tensor ${JSON.stringify(name)}: shape ${JSON.stringify(shape)} needs ${count} values, got ${t.data.length}`);
    const length = count * DTYPE_BYTES[dtype];
    // Defining the property (not assigning) keeps a tensor named "__proto__" an ordinary key.
    Object.defineProperty(header, name, { value: { dtype, shape: [...shape], data_offsets: [offset, offset + length] }, enumerable: true });
    offset += length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil((8 + json.byteLength) / 8) * 8 - 8;
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, padded, true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.byteLength, 8 + padded);
  let at = 8 + padded;
  for (const [, t] of list) {
    const dtype = t.dtype ?? 'F32';
    const n = t.data.length;
    if (dtype === 'F32') {
      for (let i = 0; i < n; i++) view.setFloat32(at + 4 * i, t.data[i]!, true);
    } else {
      const encode = dtype === 'F16' ? numberToF16Bits : numberToBf16Bits;
      for (let i = 0; i < n; i++) view.setUint16(at + 2 * i, encode(t.data[i]!), true);
    }
    at += n * DTYPE_BYTES[dtype];
  }
  return out;
}
