/**
 * A small typed builder for ONNX graphs: named inputs, outputs, initializers and nodes, each node
 * output named after its op and a counter so a graph dump reads in execution order. Only the
 * default ONNX domain is used (no com.microsoft contrib ops), so any conforming runtime runs it.
 */
import {
  type AttributeProto,
  AttributeType,
  DataType,
  type DataTypeValue,
  type Dim,
  encodeModel,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  tensorValueInfo,
  type ValueInfoProto,
} from './onnx-proto.ts';

/** An attribute value; tagged because ONNX distinguishes INT from FLOAT. */
export type Attr = { int: number } | { float: number } | { ints: readonly number[] } | { tensor: TensorProto };

function attribute(name: string, a: Attr): AttributeProto {
  if ('int' in a) return { name, type: AttributeType.INT, i: a.int };
  if ('float' in a) return { name, type: AttributeType.FLOAT, f: a.float };
  if ('ints' in a) return { name, type: AttributeType.INTS, ints: [...a.ints] };
  return { name, type: AttributeType.TENSOR, t: a.tensor };
}

function checkSize(name: string, dims: readonly number[], n: number): void {
  const size = dims.reduce((a, b) => a * b, 1);
  if (size !== n) throw new Error(`onnx: initializer ${name} [${dims.join(', ')}] needs ${size} values, got ${n}`);
}

/** A float32 tensor as little-endian raw bytes (copied: the caller's array may be a view). */
export function floatTensor(name: string, dims: readonly number[], data: ArrayLike<number>): TensorProto {
  checkSize(name, dims, data.length);
  const f32 = Float32Array.from(data);
  const raw = new Uint8Array(f32.byteLength);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < f32.length; i++) view.setFloat32(4 * i, f32[i]!, true);
  return { name, dims: [...dims], dataType: DataType.FLOAT, rawData: raw };
}

export function int64Tensor(name: string, dims: readonly number[], data: readonly number[]): TensorProto {
  checkSize(name, dims, data.length);
  const raw = new Uint8Array(8 * data.length);
  const view = new DataView(raw.buffer);
  data.forEach((v, i) => view.setBigInt64(8 * i, BigInt(v), true));
  return { name, dims: [...dims], dataType: DataType.INT64, rawData: raw };
}

export class GraphBuilder {
  private readonly nodes: NodeProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly names = new Set<string>();
  private readonly constCache = new Map<string, string>();
  private counter = 0;

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`onnx: duplicate value name ${name}`);
    this.names.add(name);
    return name;
  }

  input(name: string, elemType: DataTypeValue, dims: readonly Dim[]): string {
    this.inputs.push(tensorValueInfo(this.claim(name), elemType, dims));
    return name;
  }

  /** Declares a graph output; a node must produce `name` (pass it as that node's `out`). */
  output(name: string, elemType: DataTypeValue, dims: readonly Dim[]): void {
    this.outputs.push(tensorValueInfo(name, elemType, dims));
  }

  initializer(t: TensorProto): string {
    this.initializers.push({ ...t, name: this.claim(t.name) });
    return t.name;
  }

  /** A shared int64 constant (shapes, axes, indices), created once per distinct value. */
  ints(values: readonly number[], scalar = false): string {
    const key = `i64:${scalar ? 's' : 'v'}:${values.join(',')}`;
    let name = this.constCache.get(key);
    if (!name) {
      name = this.initializer(int64Tensor(`const_${this.constCache.size}`, scalar ? [] : [values.length], values));
      this.constCache.set(key, name);
    }
    return name;
  }

  /** A shared float32 scalar constant. */
  scalar(value: number): string {
    const key = `f32:${Math.fround(value)}`;
    let name = this.constCache.get(key);
    if (!name) {
      name = this.initializer(floatTensor(`const_${this.constCache.size}`, [], [value]));
      this.constCache.set(key, name);
    }
    return name;
  }

  /** Adds one node with one output and returns that output's name. */
  op(opType: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, out?: string): string {
    const id = this.counter++;
    const output = this.claim(out ?? `${opType.toLowerCase()}_${id}`);
    this.nodes.push({
      name: `${opType}_${id}`,
      opType,
      input: [...inputs],
      output: [output],
      attribute: Object.entries(attrs).map(([n, a]) => attribute(n, a)),
    });
    return output;
  }

  /** The ModelProto of this graph; every declared output must have been produced. */
  build(o: { name: string; opset: number; irVersion: number; producer: string; doc: string; metadata?: Record<string, string> }): ModelProto {
    for (const out of this.outputs) {
      if (!this.nodes.some((n) => n.output.includes(out.name))) throw new Error(`onnx: no node produces graph output ${out.name}`);
    }
    return {
      irVersion: o.irVersion,
      opsetImport: [{ domain: '', version: o.opset }],
      producerName: o.producer,
      producerVersion: '',
      docString: o.doc,
      graph: { name: o.name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
      metadataProps: Object.entries(o.metadata ?? {}).map(([key, value]) => ({ key, value })),
    };
  }

  encode(o: Parameters<GraphBuilder['build']>[0]): Uint8Array {
    return encodeModel(this.build(o));
  }
}
