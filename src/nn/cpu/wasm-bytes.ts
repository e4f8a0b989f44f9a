/**
 * A minimal WebAssembly binary writer: only what the engine's two SIMD kernels need
 * (wasm-gemm.ts, f64x2 for the matmul; wasm-attention.ts, f32x4 for attention's products).
 * Why bytes are emitted by hand instead of compiled from .wat: each module is one small function,
 * and emitting it keeps the build free of a WebAssembly toolchain and the modules usable in the
 * browser and in Node alike (Chrome compiles up to 4 KiB synchronously even on a page's main
 * thread; tests keep each module under that).
 */

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const str = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];

export const I32 = 0x7f;
export const V128 = 0x7b;
export const op = {
  block: [0x02, 0x40], loop: [0x03, 0x40], end: [0x0b], br: 0x0c, brIf: 0x0d,
  ifElse: [0x04, 0x40], else: 0x05, get: 0x20, set: 0x21, i32const: 0x41, eqz: 0x45, geU: 0x4f, add: 0x6a, sub: 0x6b, mul: 0x6c, f64load: 0x2b,
};
export const simd = (code: number, ...imm: number[]): number[] => [0xfd, ...uleb(code), ...imm];
export const V128_LOAD = 0x00;
export const V128_LOAD32_SPLAT = 0x09;
export const V128_STORE = 0x0b;
export const V128_CONST = 0x0c;
export const F64X2_SPLAT = 0x14;
export const F32X4_ADD = 0xe4;
export const F32X4_MUL = 0xe6;
export const F64X2_ADD = 0xf0;
export const F64X2_MUL = 0xf2;
/** A memory immediate: alignment hint 2^align, constant byte offset. */
export const memarg = (align: number, offset: number): number[] => [align, ...uleb(offset)];
export const get = (l: number): number[] => [op.get, l];
export const set = (l: number): number[] => [op.set, l];
export const c32 = (n: number): number[] => [op.i32const, ...sleb(n)];

/**
 * A module of one exported function `name` (`params` i32 parameters, no result) with the given
 * i32 and v128 locals (numbered after the parameters, i32 first) and body, and an exported
 * memory `mem` of one page that grows on demand.
 */
export function moduleBytes(name: string, params: number, i32Locals: number, v128Locals: number, code: number[]): Uint8Array<ArrayBuffer> {
  const body = [...vec([[...uleb(i32Locals), I32], [...uleb(v128Locals), V128]]), ...code];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec(Array.from({ length: params }, () => [I32])), 0x00]])),
    ...section(3, vec([[0x00]])),
    ...section(5, vec([[0x00, 0x01]])), // memory: min 1 page, no max
    ...section(7, vec([[...str(name), 0x00, 0x00], [...str('mem'), 0x02, 0x00]])),
    ...section(10, vec([[...uleb(body.length), ...body]])),
  ]);
}

/** The module's function and memory, or null where WebAssembly SIMD is unavailable. */
export function instantiate<F>(bytes: Uint8Array<ArrayBuffer>, name: string): { fn: F; mem: WebAssembly.Memory } | null {
  try {
    if (typeof WebAssembly === 'undefined' || !WebAssembly.validate(bytes)) return null;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    return { fn: instance.exports[name] as F, mem: instance.exports.mem as WebAssembly.Memory };
  } catch {
    return null;
  }
}

/** Grows `mem` to hold at least `bytes`. */
export function ensureBytes(mem: WebAssembly.Memory, bytes: number): void {
  if (mem.buffer.byteLength < bytes) mem.grow(Math.ceil((bytes - mem.buffer.byteLength) / 65536));
}
