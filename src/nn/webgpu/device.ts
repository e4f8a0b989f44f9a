/**
 * The WebGPU plumbing under the kernels: buffers (pooled), pipelines (compiled once), uniforms
 * (one 256-byte slot per dispatch in a shared buffer with dynamic offsets), and a command
 * encoder that collects dispatches until something needs the queue.
 *
 * Ordering: kernels are encoded into one open compute pass and submitted together at the next
 * flush. `queue.writeBuffer` runs on the queue timeline *before* anything not yet submitted, so
 * every host→GPU write first flushes the pending dispatches (otherwise a write could overtake a
 * kernel encoded earlier that reads the old contents). The uniform slots are written with one
 * writeBuffer just before their submit, and the next batch's write is queued after that submit,
 * so the same uniform buffer can be reused batch after batch.
 */

export type Scalar = 'u32' | 'f32';

/** A compute kernel: its uniform fields and storage bindings; the WGSL declarations are generated. */
export interface Kernel {
  readonly name: string;
  readonly params: readonly (readonly [string, Scalar])[];
  /** Storage bindings 1..n in order: name, access, element type. */
  readonly buffers: readonly (readonly [string, 'read' | 'rw', Scalar])[];
  /** WGSL after the generated struct and bindings (helpers and `fn main`). */
  readonly main: string;
}

const UNIFORM_SLOT = 256; // minUniformBufferOffsetAlignment on every adapter
const UNIFORM_SLOTS = 2048; // dispatches per submit at most
// A function, not a constant: GPUBufferUsage does not exist where WebGPU does not (Node, old browsers).
const bufferUsage = (): number => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

/** Shared by every kernel: a flat index over a 2-D grid (dispatches are capped at 65535 per dimension). */
const PRELUDE = /* wgsl */ `
fn flatGroup(wid: vec3u, nwg: vec3u) -> u32 { return wid.y * nwg.x + wid.x; }
`;

function wgsl(k: Kernel): string {
  const fields = k.params.map(([n, t]) => `  ${n}: ${t},`).join('\n');
  const binds = k.buffers
    .map(([n, access, t], i) => `@group(0) @binding(${i + 1}) var<storage, ${access === 'rw' ? 'read_write' : 'read'}> ${n}: array<${t}>;`)
    .join('\n');
  // An empty struct is not valid WGSL; every kernel has at least one parameter, but be safe.
  return `struct P {\n${fields || '  unused: u32,'}\n};\n@group(0) @binding(0) var<uniform> p: P;\n${binds}\n${PRELUDE}\n${k.main}`;
}

let nextId = 1;

export class GpuBuffer {
  readonly id = nextId++;
  constructor(
    readonly buffer: GPUBuffer,
    readonly bytes: number,
  ) {}
}

/** The GPU went away under a job (its results cannot be read); the job may continue elsewhere. */
export class GpuDeviceLostError extends Error {
  constructor(reason: string) {
    super(`the WebGPU device was lost (${reason})`);
    this.name = 'GpuDeviceLostError';
  }
}

interface Compiled {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

export class GpuContext {
  private readonly pipelines = new Map<string, Compiled>();
  private readonly free = new Map<number, GpuBuffer[]>();
  private readonly staging: GPUBuffer[] = [];
  private readonly bindGroups = new Map<string, GPUBindGroup>();
  private readonly uniformBuffer: GPUBuffer;
  private readonly uniformData = new ArrayBuffer(UNIFORM_SLOT * UNIFORM_SLOTS);
  private readonly uniformU32 = new Uint32Array(this.uniformData);
  private readonly uniformF32 = new Float32Array(this.uniformData);
  private slot = 0;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  /** The first validation / out-of-memory error the device reported; `read` rejects with it. */
  error: string | null = null;
  /** GPU buffers created so far (pool misses), and dispatches encoded. */
  created = 0;
  dispatches = 0;

  /** Why the device was lost, once it has been (a driver reset, a tab in the background, destroy()). */
  lost: string | null = null;

  constructor(readonly device: GPUDevice) {
    this.uniformBuffer = device.createBuffer({ size: UNIFORM_SLOT * UNIFORM_SLOTS, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    device.addEventListener('uncapturederror', (e) => {
      this.error ??= (e as GPUUncapturedErrorEvent).error.message;
    });
    void device.lost.then((info) => {
      this.lost = info.message || String(info.reason);
    });
  }

  // ----- buffers -----

  /** A storage buffer of at least `elements` 4-byte words, from the pool when one is idle (contents stale). */
  acquire(elements: number): GpuBuffer {
    // Bindings must be non-empty; round to 16 bytes so near-equal sizes share a free list.
    const bytes = Math.max(16, Math.ceil((elements * 4) / 16) * 16);
    const pooled = this.free.get(bytes)?.pop();
    if (pooled) return pooled; // same object, same id: its cached bind groups stay valid
    this.created++;
    return new GpuBuffer(this.device.createBuffer({ size: bytes, usage: bufferUsage() }), bytes);
  }

  /** A new buffer holding `words` (mapped at creation: no queue operation, so no flush needed). */
  createWith(words: Uint32Array | Float32Array): GpuBuffer {
    const bytes = Math.max(16, Math.ceil((words.length * 4) / 16) * 16);
    this.created++;
    const buffer = this.device.createBuffer({ size: bytes, usage: bufferUsage(), mappedAtCreation: true });
    new Uint32Array(buffer.getMappedRange()).set(new Uint32Array(words.buffer, words.byteOffset, words.length));
    buffer.unmap();
    return new GpuBuffer(buffer, bytes);
  }

  /** Back to the pool. Pending dispatches may still use it; later users are encoded after them. */
  release(b: GpuBuffer): void {
    let list = this.free.get(b.bytes);
    if (!list) {
      list = [];
      this.free.set(b.bytes, list);
    }
    list.push(b);
  }

  /** Host → GPU copy, ordered after every dispatch so far. */
  write(b: GpuBuffer, words: Uint32Array | Float32Array, offsetWords = 0): void {
    this.flush();
    this.device.queue.writeBuffer(b.buffer, offsetWords * 4, words.buffer, words.byteOffset, words.length * 4);
  }

  async read(b: GpuBuffer, elements: number): Promise<ArrayBuffer> {
    if (elements === 0) return new ArrayBuffer(0);
    if (this.lost !== null) throw new GpuDeviceLostError(this.lost);
    this.flush();
    const bytes = elements * 4;
    const idx = this.staging.findIndex((s) => s.size >= bytes);
    const st = idx >= 0 ? this.staging.splice(idx, 1)[0]! : this.device.createBuffer({ size: Math.max(256, bytes), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = this.device.createCommandEncoder();
    enc.copyBufferToBuffer(b.buffer, 0, st, 0, bytes);
    this.device.queue.submit([enc.finish()]);
    try {
      try {
        await st.mapAsync(GPUMapMode.READ, 0, bytes);
      } catch (e) {
        // A lost device rejects the map (as an AbortError in some browsers): report it as the
        // device's failure, never as a cancel, so a training job falls back instead of stopping.
        throw new GpuDeviceLostError(this.lost ?? (e instanceof Error ? e.message : String(e)));
      }
      const out = st.getMappedRange(0, bytes).slice(0);
      st.unmap();
      // Validation errors arrive asynchronously; by now every earlier dispatch has reported.
      if (this.error) throw new Error(`WebGPU error: ${this.error}`);
      return out;
    } finally {
      if (this.staging.length < 8) this.staging.push(st);
      else st.destroy();
    }
  }

  // ----- dispatch -----

  private compile(k: Kernel): Compiled {
    const hit = this.pipelines.get(k.name);
    if (hit) return hit;
    const entries: GPUBindGroupLayoutEntry[] = [{ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true } }];
    k.buffers.forEach(([, access], i) =>
      entries.push({ binding: i + 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: access === 'rw' ? 'storage' : 'read-only-storage' } }),
    );
    const layout = this.device.createBindGroupLayout({ label: k.name, entries });
    const module = this.device.createShaderModule({ label: k.name, code: wgsl(k) });
    const pipeline = this.device.createComputePipeline({
      label: k.name,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: 'main' },
    });
    const c = { pipeline, layout };
    this.pipelines.set(k.name, c);
    return c;
  }

  /**
   * Encode one dispatch. `params` follow k.params in order; `groups` is a workgroup count that
   * is spread over x and y when it exceeds the 65535 limit (kernels use flatGroup), or an
   * explicit [x, y] grid.
   */
  dispatch(k: Kernel, params: readonly number[], bufs: readonly GpuBuffer[], groups: number | readonly [number, number]): void {
    if (params.length !== k.params.length || bufs.length !== k.buffers.length) throw new Error(`${k.name}: expected ${k.params.length} params and ${k.buffers.length} buffers`);
    for (let i = 0; i < bufs.length; i++) {
      if (k.buffers[i]![1] !== 'rw') continue;
      for (let j = 0; j < bufs.length; j++) {
        if (j !== i && bufs[j] === bufs[i]) throw new Error(`${k.name}: buffer ${k.buffers[i]![0]} is written and also bound as ${k.buffers[j]![0]}`);
      }
    }
    const [gx, gy] = typeof groups === 'number' ? (groups <= 65535 ? [groups, 1] : [65535, Math.ceil(groups / 65535)]) : groups;
    if (gx === 0 || gy === 0) return;
    if (this.slot === UNIFORM_SLOTS) this.flush();
    const c = this.compile(k);
    const base = (this.slot * UNIFORM_SLOT) / 4;
    k.params.forEach(([, t], i) => {
      if (t === 'u32') this.uniformU32[base + i] = params[i]! >>> 0;
      else this.uniformF32[base + i] = params[i]!;
    });
    const key = `${k.name}:${bufs.map((b) => b.id).join(',')}`;
    let bg = this.bindGroups.get(key);
    if (!bg) {
      if (this.bindGroups.size > 8192) this.bindGroups.clear();
      bg = this.device.createBindGroup({
        layout: c.layout,
        entries: [{ binding: 0, resource: { buffer: this.uniformBuffer, size: UNIFORM_SLOT } }, ...bufs.map((b, i) => ({ binding: i + 1, resource: { buffer: b.buffer } }))],
      });
      this.bindGroups.set(key, bg);
    }
    this.encoder ??= this.device.createCommandEncoder();
    this.pass ??= this.encoder.beginComputePass();
    this.pass.setPipeline(c.pipeline);
    this.pass.setBindGroup(0, bg, [this.slot * UNIFORM_SLOT]);
    this.pass.dispatchWorkgroups(gx, gy);
    this.slot++;
    this.dispatches++;
  }

  /** Submit what has been encoded (with its uniforms). */
  flush(): void {
    if (!this.encoder) return;
    this.pass?.end();
    this.device.queue.writeBuffer(this.uniformBuffer, 0, this.uniformData, 0, this.slot * UNIFORM_SLOT);
    this.device.queue.submit([this.encoder.finish()]);
    this.encoder = null;
    this.pass = null;
    this.slot = 0;
  }

  /** Destroy every idle buffer (bind groups naming them go too). */
  trim(): void {
    this.flush();
    for (const list of this.free.values()) for (const b of list) b.buffer.destroy();
    this.free.clear();
    this.bindGroups.clear();
  }
}
