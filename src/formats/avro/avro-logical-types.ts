/**
 * Avro logical types for avsc that keep the logical type on the parsed Type without changing
 * values: a decimal stays a Buffer, a timestamp-millis stays a number of milliseconds. The
 * parsed tree then says which columns are decimals, dates or timestamps (what the SQL engine
 * needs to map them to SQL types), while encoding and decoding stay those of the underlying type.
 *
 * As the Avro specification requires, an invalid logical type (a decimal without precision, a
 * date on a string...) is ignored and the underlying type used: the constructor throws and
 * avsc falls back to the underlying type (we never set `assertLogicalTypes`).
 */
import avro from 'avsc';

type Schema = Record<string, unknown>;

/** Underlying Avro types each logical type annotates (the specification's table). */
const UNDERLYING: Record<string, readonly string[]> = {
  decimal: ['bytes', 'fixed'],
  'big-decimal': ['bytes'],
  uuid: ['string', 'fixed'],
  date: ['int'],
  'time-millis': ['int'],
  'time-micros': ['long'],
  'timestamp-millis': ['long'],
  'timestamp-micros': ['long'],
  'timestamp-nanos': ['long'],
  'local-timestamp-millis': ['long'],
  'local-timestamp-micros': ['long'],
  'local-timestamp-nanos': ['long'],
  duration: ['fixed'],
};

export const AVRO_LOGICAL_TYPE_NAMES: readonly string[] = Object.keys(UNDERLYING);

/** A logical type of an avsc Type tree: its name and, for decimals, precision and scale. */
export class AvroLogicalType extends avro.types.LogicalType {
  readonly logicalTypeName: string;
  readonly precision: number | undefined;
  readonly scale: number | undefined;

  constructor(schema: Schema, opts?: unknown) {
    super(schema as never, opts);
    const name = String(schema.logicalType);
    this.logicalTypeName = name;
    const underlying = this.underlyingType;
    const underlyingName = underlying.typeName;
    if (!(UNDERLYING[name] ?? []).includes(underlyingName)) {
      throw new Error(`logical type ${name} cannot annotate ${underlyingName}`);
    }
    if (name === 'uuid' && underlyingName === 'fixed' && (underlying as avro.types.FixedType).size !== 16) {
      throw new Error('uuid on fixed needs size 16');
    }
    if (name === 'duration' && (underlying as avro.types.FixedType).size !== 12) {
      throw new Error('duration needs fixed size 12');
    }
    if (name === 'decimal') {
      const precision = schema.precision;
      const scale = schema.scale ?? 0;
      if (typeof precision !== 'number' || !Number.isInteger(precision) || precision <= 0) {
        throw new Error('decimal precision must be a positive integer');
      }
      if (typeof scale !== 'number' || !Number.isInteger(scale) || scale < 0 || scale > precision) {
        throw new Error('decimal scale must be an integer between 0 and the precision');
      }
      if (underlyingName === 'fixed') {
        const size = (underlying as avro.types.FixedType).size;
        const maxPrecision = Math.floor(Math.log10(2) * (8 * size - 1));
        if (precision > maxPrecision) throw new Error(`fixed(${size}) cannot hold decimal precision ${precision}`);
      }
      this.precision = precision;
      this.scale = scale;
    } else {
      this.precision = undefined;
      this.scale = undefined;
    }
  }

  protected override _fromValue(value: unknown): unknown {
    return value;
  }

  protected override _toValue(value: unknown): unknown {
    return value;
  }

  protected override _resolve(type: avro.Type): ((value: unknown) => unknown) | undefined {
    const writer = avro.Type.isType(type, 'logical') ? (type as avro.types.LogicalType).underlyingType : type;
    try {
      this.underlyingType.createResolver(writer);
    } catch {
      return undefined;
    }
    return (value) => value;
  }

  protected override _export(schema: avro.Schema): void {
    const attrs = schema as unknown as Schema;
    if (this.precision !== undefined) attrs.precision = this.precision;
    if (this.scale !== undefined) attrs.scale = this.scale;
  }
}

/** The `logicalTypes` option for avsc: every known logical type, kept as an AvroLogicalType. */
export const AVRO_LOGICAL_TYPES: Record<string, new (schema: Schema, opts?: unknown) => AvroLogicalType> =
  Object.fromEntries(AVRO_LOGICAL_TYPE_NAMES.map((name) => [name, AvroLogicalType]));
