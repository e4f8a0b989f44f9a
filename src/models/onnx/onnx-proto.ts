/**
 * The ONNX protobuf schema, reduced to what a single-graph inference model needs, and its encoder.
 *
 * Why protobufjs reflection with an inline JSON descriptor rather than a vendored `onnx.proto`:
 * the light build of protobufjs (already in node_modules through onnxruntime-web) has no `.proto`
 * parser, and loading a text schema at run time would need `fs` in Node and a fetch in the
 * browser. A descriptor object is plain data that bundles with the code, and `Root.fromJSON`
 * builds the same reflected types a parsed file would. The encoder, not this file, handles the
 * wire format (varints, zig-zag, packed repeats, nested lengths).
 *
 * Field numbers and enum values are transcribed from onnx/onnx `onnx/onnx.proto` (the ONNX
 * Project, Apache License 2.0 — ONNX was relicensed from MIT in 2020/21), keeping only the
 * messages and fields written here. They were checked against the generated protobufjs code that
 * onnxruntime-web ships (lib/onnxjs/ort-schema/protobuf/onnx.js). Field names follow protobufjs'
 * camelCase conversion; only numbers and types reach the wire.
 *
 * protobufjs' API is loosely typed (messages are `{[k: string]: any}`); the interfaces below are
 * the typed layer, and `encodeModel` is the only place the two meet.
 */
import protobuf from 'protobufjs/light.js';

/** TensorProto.DataType values used by the exporter. */
export const DataType = { FLOAT: 1, INT64: 7, BOOL: 9 } as const;
export type DataTypeValue = (typeof DataType)[keyof typeof DataType];

/** AttributeProto.AttributeType values used by the exporter. */
export const AttributeType = { FLOAT: 1, INT: 2, TENSOR: 4, INTS: 7 } as const;

export interface TensorProto {
  name: string;
  dims: number[];
  dataType: DataTypeValue;
  /** Little-endian element bytes (the compact encoding ONNX runtimes read directly). */
  rawData: Uint8Array;
}

export interface AttributeProto {
  name: string;
  type: (typeof AttributeType)[keyof typeof AttributeType];
  f?: number;
  i?: number;
  ints?: number[];
  t?: TensorProto;
}

export interface NodeProto {
  name: string;
  opType: string;
  input: string[];
  output: string[];
  attribute: AttributeProto[];
}

/** A dimension is fixed (number) or symbolic (dim_param, e.g. "batch_size"). */
export type Dim = number | string;

export interface ValueInfoProto {
  name: string;
  type: { tensorType: { elemType: DataTypeValue; shape: { dim: ({ dimValue: number } | { dimParam: string })[] } } };
}

export interface GraphProto {
  name: string;
  node: NodeProto[];
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
}

export interface ModelProto {
  irVersion: number;
  opsetImport: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  docString: string;
  graph: GraphProto;
  metadataProps: { key: string; value: string }[];
}

type Fields = Record<string, { id: number; type: string; rule?: 'repeated' }>;

const field = (id: number, type: string): { id: number; type: string } => ({ id, type });
const repeated = (id: number, type: string): { id: number; type: string; rule: 'repeated' } => ({ id, type, rule: 'repeated' });

const SCHEMA: { nested: { onnx: { nested: Record<string, { fields: Fields; oneofs?: Record<string, { oneof: string[] }> }> } } } = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: field(1, 'int64'),
            producerName: field(2, 'string'),
            producerVersion: field(3, 'string'),
            domain: field(4, 'string'),
            modelVersion: field(5, 'int64'),
            docString: field(6, 'string'),
            graph: field(7, 'GraphProto'),
            opsetImport: repeated(8, 'OperatorSetIdProto'),
            metadataProps: repeated(14, 'StringStringEntryProto'),
          },
        },
        OperatorSetIdProto: { fields: { domain: field(1, 'string'), version: field(2, 'int64') } },
        StringStringEntryProto: { fields: { key: field(1, 'string'), value: field(2, 'string') } },
        GraphProto: {
          fields: {
            node: repeated(1, 'NodeProto'),
            name: field(2, 'string'),
            initializer: repeated(5, 'TensorProto'),
            docString: field(10, 'string'),
            input: repeated(11, 'ValueInfoProto'),
            output: repeated(12, 'ValueInfoProto'),
            valueInfo: repeated(13, 'ValueInfoProto'),
          },
        },
        NodeProto: {
          fields: {
            input: repeated(1, 'string'),
            output: repeated(2, 'string'),
            name: field(3, 'string'),
            opType: field(4, 'string'),
            attribute: repeated(5, 'AttributeProto'),
            docString: field(6, 'string'),
            domain: field(7, 'string'),
          },
        },
        AttributeProto: {
          fields: {
            name: field(1, 'string'),
            f: field(2, 'float'),
            i: field(3, 'int64'),
            s: field(4, 'bytes'),
            t: field(5, 'TensorProto'),
            floats: repeated(7, 'float'),
            ints: repeated(8, 'int64'),
            docString: field(13, 'string'),
            type: field(20, 'int32'),
          },
        },
        TensorProto: {
          fields: {
            dims: repeated(1, 'int64'),
            dataType: field(2, 'int32'),
            name: field(8, 'string'),
            rawData: field(9, 'bytes'),
            docString: field(12, 'string'),
          },
        },
        ValueInfoProto: { fields: { name: field(1, 'string'), type: field(2, 'TypeProto'), docString: field(3, 'string') } },
        TypeProto: { fields: { tensorType: field(1, 'TypeProtoTensor'), denotation: field(6, 'string') }, oneofs: { value: { oneof: ['tensorType'] } } },
        // TypeProto.Tensor in onnx.proto; a nested message only changes the schema name, not the wire.
        TypeProtoTensor: { fields: { elemType: field(1, 'int32'), shape: field(2, 'TensorShapeProto') } },
        TensorShapeProto: { fields: { dim: repeated(1, 'Dimension') } },
        // TensorShapeProto.Dimension in onnx.proto.
        Dimension: {
          fields: { dimValue: field(1, 'int64'), dimParam: field(2, 'string'), denotation: field(3, 'string') },
          oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
        },
      },
    },
  },
};

let modelType: protobuf.Type | null = null;

function modelProtoType(): protobuf.Type {
  modelType ??= protobuf.Root.fromJSON(SCHEMA).lookupType('onnx.ModelProto');
  return modelType;
}

/** The serialized bytes of a model (what `onnx/model.onnx` holds). */
export function encodeModel(model: ModelProto): Uint8Array {
  const type = modelProtoType();
  const problem = type.verify(model);
  if (problem) throw new Error(`onnx: invalid ModelProto: ${problem}`);
  return type.encode(model).finish();
}

/** The inverse of encodeModel, for tests (fields not in the reduced schema are dropped). */
export function decodeModel(bytes: Uint8Array): ModelProto {
  const type = modelProtoType();
  return type.toObject(type.decode(bytes), { longs: Number, defaults: false, arrays: true }) as ModelProto;
}

/** A value_info of a tensor with fixed and symbolic dimensions. */
export function tensorValueInfo(name: string, elemType: DataTypeValue, dims: readonly Dim[]): ValueInfoProto {
  return { name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } };
}
