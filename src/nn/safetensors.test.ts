import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.ts';
import { MAX_HEADER_BYTES, SafetensorsError, parseSafetensors, readSafetensors, readTensor, writeSafetensors } from './safetensors.ts';

/** A file from a raw header string and data bytes; `headerLength` overrides the length field. */
function build(header: string | Uint8Array, data: ArrayLike<number> = [], headerLength?: number, headerHigh = 0): Uint8Array {
  const json = typeof header === 'string' ? new TextEncoder().encode(header) : header;
  const out = new Uint8Array(8 + json.byteLength + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLength ?? json.byteLength, true);
  view.setUint32(4, headerHigh, true);
  out.set(json, 8);
  out.set(Array.from(data), 8 + json.byteLength);
  return out;
}

function refusal(bytes: Uint8Array): string {
  try {
    const file = parseSafetensors(bytes);
    for (const name of file.tensors.keys()) readTensor(file, name);
  } catch (e) {
    expect(e).toBeInstanceOf(SafetensorsError);
    return (e as Error).message;
  }
  throw new Error('expected a SafetensorsError, the file was accepted');
}

const f32 = (name: string, shape: number[], begin: number, end: number): string =>
  `"${name}":{"dtype":"F32","shape":${JSON.stringify(shape)},"data_offsets":[${begin},${end}]}`;

describe('safetensors round trips', () => {
  it('writes and reads F32, F16 and BF16 tensors with metadata', () => {
    const a = Float32Array.from([1, -2.5, 3.25, 1e-8, -0, 65504]);
    const bytes = writeSafetensors(
      new Map([
        ['a', { shape: [2, 3], data: a }],
        ['b.half', { shape: [3], data: [1, 0.5, -65504], dtype: 'F16' as const }],
        ['c.bf', { shape: [1, 1, 2], data: [1, -3], dtype: 'BF16' as const }],
        ['scalar', { shape: [], data: [7] }],
        ['empty', { shape: [0, 4], data: [] }],
      ]),
      { format: 'pt', note: 'ünïcode' },
    );
    const dataStart = 8 + new DataView(bytes.buffer).getUint32(0, true);
    expect(dataStart % 8).toBe(0);
    const { metadata, tensors } = readSafetensors(bytes.buffer);
    expect(metadata).toEqual({ format: 'pt', note: 'ünïcode' });
    expect([...tensors.keys()]).toEqual(['a', 'b.half', 'c.bf', 'scalar', 'empty']);
    expect(tensors.get('a')!.shape).toEqual([2, 3]);
    expect(Array.from(tensors.get('a')!.data)).toEqual(Array.from(a));
    expect(tensors.get('b.half')).toMatchObject({ dtype: 'F16', shape: [3] });
    expect(Array.from(tensors.get('b.half')!.data)).toEqual([1, 0.5, -65504]);
    expect(Array.from(tensors.get('c.bf')!.data)).toEqual([1, -3]);
    expect(Array.from(tensors.get('scalar')!.data)).toEqual([7]);
    expect(tensors.get('empty')!.data.length).toBe(0);
  });

  it('reads from a Uint8Array view into a larger buffer at an odd offset', () => {
    const bytes = writeSafetensors({ w: { shape: [2], data: [0.25, -4] } });
    const big = new Uint8Array(bytes.byteLength + 3);
    big.set(bytes, 1);
    const { tensors } = readSafetensors(big.subarray(1, 1 + bytes.byteLength));
    expect(Array.from(tensors.get('w')!.data)).toEqual([0.25, -4]);
  });

  it('reads a header without metadata, with trailing space padding and any tensor order', () => {
    const data = new Uint8Array(12);
    new DataView(data.buffer).setFloat32(0, 9, true);
    new DataView(data.buffer).setFloat32(4, 1.5, true);
    new DataView(data.buffer).setFloat32(8, 2.5, true);
    const file = parseSafetensors(build(`{${f32('y', [2], 4, 12)},${f32('x', [], 0, 4)}}   `, data));
    expect(file.metadata).toBeNull();
    expect(Array.from(readTensor(file, 'x').data)).toEqual([9]);
    expect(Array.from(readTensor(file, 'y').data)).toEqual([1.5, 2.5]);
  });

  it('reads a null __metadata__ as no metadata, like the reference implementation', () => {
    expect(parseSafetensors(build('{"__metadata__":null}')).metadata).toBeNull();
  });

  it('refuses bad input when writing', () => {
    expect(() => writeSafetensors({ a: { shape: [2], data: [1] } })).toThrow(SafetensorsError);
    expect(() => writeSafetensors({ a: { shape: [-1], data: [] } })).toThrow(SafetensorsError);
    expect(() => writeSafetensors({ __metadata__: { shape: [1], data: [1] } })).toThrow(SafetensorsError);
  });
});

describe('safetensors refusals', () => {
  const four = [0, 0, 128, 63];
  const cases: [string, Uint8Array, RegExp][] = [
    ['a file shorter than 8 bytes', new Uint8Array(5), /shorter than the 8-byte/],
    ['a header length past the end', build('{}', [], 50), /runs past the end/],
    ['a header length over the cap', build('{}', [], MAX_HEADER_BYTES + 1), /exceeds the cap/],
    ['a header length with the high word set', build('{}', [], 2, 1), /exceeds the cap/],
    ['invalid UTF-8', build(new Uint8Array([0x7b, 0xff, 0x7d])), /not valid UTF-8/],
    ['a header not starting with {', build(' {}'), /must start with/],
    ['an empty header', build(''), /must start with/],
    ['a header starting with a byte-order mark', build('\ufeff{}'), /must start with/],
    ['invalid JSON', build('{"a":'), /not valid JSON/],
    ['a header that is an array', build('{}]'), /not valid JSON/],
    ['duplicate tensor names', build(`{${f32('a', [1], 0, 4)},${f32('a', [1], 0, 4)}}`, four), /key "a" twice/],
    ['duplicate keys inside an entry', build(`{"a":{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, four), /"dtype" twice/],
    ['non-string metadata', build(`{"__metadata__":{"n":1}}`), /must be a string/],
    ['metadata that is not an object', build(`{"__metadata__":"x"}`), /must be an object/],
    ['an unknown dtype', build(`{"a":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}}`, four), /unknown dtype "F33"/],
    ['a known but unsupported dtype', build(`{"a":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}`, four), /I32 is not supported/],
    ['a missing field', build(`{"a":{"dtype":"F32","shape":[1]}}`, four), /exactly dtype, shape, data_offsets/],
    ['an extra field', build(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}}`, four), /exactly dtype/],
    ['an entry that is not an object', build(`{"a":[1]}`), /must be an object/],
    ['an empty tensor name', build(`{${f32('', [1], 0, 4)}}`, four), /empty name/],
    ['a negative shape entry', build(`{${f32('a', [-1], 0, 4)}}`, four), /not a non-negative integer/],
    ['a fractional shape entry', build(`{${f32('a', [0.5], 0, 4)}}`, four), /not a non-negative integer/],
    ['a string shape entry', build(`{"a":{"dtype":"F32","shape":["1"],"data_offsets":[0,4]}}`, four), /not a non-negative integer/],
    ['an overflowing shape', build(`{${f32('a', [2 ** 30, 2 ** 30, 2 ** 30], 0, 4)}}`, four), /too large/],
    ['a shape that is not an array', build(`{"a":{"dtype":"F32","shape":4,"data_offsets":[0,4]}}`, four), /must be an array/],
    ['shape × dtype ≠ byte length', build(`{${f32('a', [2], 0, 4)}}`, four), /needs 8 bytes, data_offsets give 4/],
    ['reversed offsets', build(`{${f32('a', [1], 4, 0)}}`, four), /0 <= begin <= end/],
    ['negative offsets', build(`{${f32('a', [1], -4, 0)}}`, four), /0 <= begin <= end/],
    ['three offsets', build(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}`, four), /must be \[begin, end\]/],
    ['fractional offsets', build(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0.5,4.5]}}`, four), /must be integers/],
    ['offsets past the data', build(`{${f32('a', [2], 0, 8)}}`, four), /past the 4-byte data region/],
    ['overlapping tensors', build(`{${f32('a', [2], 0, 8)},${f32('b', [1], 4, 8)}}`, [...four, ...four]), /overlaps/],
    ['a hole between tensors', build(`{${f32('a', [1], 0, 4)},${f32('b', [1], 8, 12)}}`, [...four, ...four, ...four]), /hole/],
    ['a hole at the start', build(`{${f32('a', [1], 4, 8)}}`, [...four, ...four]), /hole/],
    ['trailing data bytes', build(`{${f32('a', [1], 0, 4)}}`, [...four, 0]), /cover 4 of the 5 data bytes/],
    ['data with no tensors', build('{}', four), /cover 0 of the 4/],
  ];
  for (const [what, bytes, message] of cases) {
    it(`refuses ${what}`, () => {
      expect(refusal(bytes)).toMatch(message);
    });
  }

  it('refuses to read a tensor that is not there', () => {
    expect(() => readTensor(parseSafetensors(build('{}')), 'x')).toThrow(/no tensor named "x"/);
  });

  it('never throws anything but SafetensorsError on random corruptions', () => {
    const good = writeSafetensors(
      {
        'model.a': { shape: [3, 5], data: Array.from({ length: 15 }, (_, i) => i / 7) },
        'model.b': { shape: [4], data: [1, 2, 3, 4], dtype: 'F16' },
        'model.c': { shape: [2, 2], data: [1, 2, 3, 4], dtype: 'BF16' },
      },
      { format: 'pt' },
    );
    const headerEnd = 8 + new DataView(good.buffer).getUint32(0, true);
    const rng = new Rng(11, 'safetensors-fuzz');
    let accepted = 0;
    for (let trial = 0; trial < 3000; trial++) {
      let bytes = good.slice();
      const edits = 1 + rng.int(4);
      for (let k = 0; k < edits; k++) {
        // Most corruptions land in the length field and header, where the parsing risk is.
        const at = rng.next() < 0.8 ? rng.int(headerEnd) : rng.int(bytes.byteLength);
        bytes[at] = rng.next() < 0.5 ? rng.int(256) : '{}[]",:0123456789-e. '.charCodeAt(rng.int(21));
      }
      if (rng.next() < 0.1) bytes = bytes.subarray(0, rng.int(bytes.byteLength + 1));
      try {
        const file = parseSafetensors(bytes);
        for (const name of file.tensors.keys()) readTensor(file, name);
        accepted++;
      } catch (e) {
        if (!(e instanceof SafetensorsError)) throw e;
      }
    }
    // Edits in the data region (and harmless header ones) keep the file valid; most do not.
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(3000);
  });
});
