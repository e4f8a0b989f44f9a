/** CPU NF4 dequantization (see Backend.nf4Dequantize for the code layout). */
import { NF4_BLOCK_SIZE, NF4_CODE_VALUES } from '../nf4.ts';
import type { Floats } from './storage.ts';

export function nf4Dequantize(codes: Uint32Array, absmax: Floats, out: Floats): void {
  const n = out.length;
  if (codes.length * 8 < n || absmax.length * NF4_BLOCK_SIZE < n) {
    throw new Error(`nf4Dequantize: ${n} outputs need ${Math.ceil(n / 8)} code words and ${Math.ceil(n / NF4_BLOCK_SIZE)} scales, got ${codes.length} and ${absmax.length}`);
  }
  for (let b = 0; b * NF4_BLOCK_SIZE < n; b++) {
    const scale = absmax[b]!;
    const end = Math.min(n, (b + 1) * NF4_BLOCK_SIZE);
    for (let e = b * NF4_BLOCK_SIZE; e < end; e++) {
      const code = (codes[e >> 3]! >>> (8 * ((e >> 1) & 3) + ((e & 1) === 0 ? 4 : 0))) & 0x0f;
      // fround: the f64 CPU backend must see the same f32 weights as the f32 one.
      out[e] = Math.fround(NF4_CODE_VALUES[code]! * scale);
    }
  }
}
