/**
 * Avro schema resolution as a compatibility check: can data written with `writer` be read with
 * `reader`? The rules are those of the Avro specification's "Schema Resolution" as Apache Avro's
 * Java SchemaCompatibility applies them (which is what Confluent Schema Registry runs), and the
 * messages are Confluent's, e.g.
 *
 *   {errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'x' at path
 *   '/fields/3' in the new schema has no default value and is missing in the old schema',
 *   additionalInfo:'x'}
 *
 * Covered, with Confluent's error types:
 * - READER_FIELD_MISSING_DEFAULT_VALUE: a reader field absent from the writer (by name or by one
 *   of the reader field's aliases) without a default. Removing a field is fine; adding one with
 *   a default is fine.
 * - TYPE_MISMATCH: different types, except the promotions int→long/float/double, long→float/double,
 *   float→double, string↔bytes. Logical types are ignored (their underlying types are compared),
 *   as Avro does.
 * - NAME_MISMATCH: records, enums and fixed must have the same (unqualified) name, or the reader
 *   must list the writer's full name among its aliases.
 * - FIXED_SIZE_MISMATCH, MISSING_ENUM_SYMBOLS (unless the reader enum has a default symbol),
 * - MISSING_UNION_BRANCH: a writer union branch (or a non-union writer) that no reader branch reads.
 * Recursive types are followed once (a pair of types already being compared counts as compatible).
 *
 * avsc's `createResolver` applies the same resolution when decoding; it stops at the first
 * problem and wants full names to match, so it serves here as a cross-check in tests rather
 * than as the source of the messages.
 */
import avro from 'avsc';
import { roleWords, type ReaderRole } from '../format-common.ts';

export type AvroIncompatibilityType =
  | 'NAME_MISMATCH'
  | 'FIXED_SIZE_MISMATCH'
  | 'MISSING_ENUM_SYMBOLS'
  | 'READER_FIELD_MISSING_DEFAULT_VALUE'
  | 'TYPE_MISMATCH'
  | 'MISSING_UNION_BRANCH';

export interface AvroIncompatibility {
  errorType: AvroIncompatibilityType;
  /** JSON-pointer-like location in the reader schema, as Avro reports it: '/fields/3/type'. */
  location: string;
  /** Avro's message: the field name, "expected: Sale", "reader type: STRING not compatible ...". */
  additionalInfo: string;
  /** Human path of the field in the reader schema, e.g. 'Sale.amount' ('' at the top). */
  fieldPath: string;
}

type Kind =
  | 'null'
  | 'boolean'
  | 'int'
  | 'long'
  | 'float'
  | 'double'
  | 'bytes'
  | 'string'
  | 'record'
  | 'enum'
  | 'fixed'
  | 'array'
  | 'map'
  | 'union';

/** The Avro kind of an avsc type, logical types unwrapped. */
export function avroKind(type: avro.Type): Kind {
  let t = type;
  while (avro.Type.isType(t, 'logical')) t = (t as avro.types.LogicalType).underlyingType;
  const name = t.typeName;
  if (name === 'error') return 'record';
  if (name.startsWith('union')) return 'union';
  return name as Kind;
}

function unwrap(type: avro.Type): avro.Type {
  let t = type;
  while (avro.Type.isType(t, 'logical')) t = (t as avro.types.LogicalType).underlyingType;
  return t;
}

function upper(type: avro.Type): string {
  return avroKind(type).toUpperCase();
}

function simpleName(fullName: string | undefined): string {
  if (!fullName) return '';
  const dot = fullName.lastIndexOf('.');
  return dot < 0 ? fullName : fullName.slice(dot + 1);
}

const PROMOTIONS: Partial<Record<Kind, readonly Kind[]>> = {
  long: ['int'],
  float: ['int', 'long'],
  double: ['int', 'long', 'float'],
  bytes: ['string'],
  string: ['bytes'],
};

class Checker {
  private readonly memo = new Map<avro.Type, Map<avro.Type, AvroIncompatibility[] | 'in-progress'>>();

  check(reader: avro.Type, writer: avro.Type, location: string[], fieldPath: string): AvroIncompatibility[] {
    const r = unwrap(reader);
    const w = unwrap(writer);
    // Only record pairs are memoized: they are what recursion goes through, and avsc shares one
    // Type instance between all uses of a primitive, whose results depend on the location.
    if (avroKind(r) !== 'record' || avroKind(w) !== 'record') return this.compute(r, w, location, fieldPath);
    let byWriter = this.memo.get(r);
    if (!byWriter) {
      byWriter = new Map();
      this.memo.set(r, byWriter);
    }
    const cached = byWriter.get(w);
    if (cached === 'in-progress') return [];
    if (cached) return cached;
    byWriter.set(w, 'in-progress');
    const result = this.compute(r, w, location, fieldPath);
    byWriter.set(w, result);
    return result;
  }

  private incompatible(
    errorType: AvroIncompatibilityType,
    location: string[],
    additionalInfo: string,
    fieldPath: string,
  ): AvroIncompatibility {
    return { errorType, location: formatLocation(location), additionalInfo, fieldPath };
  }

  private typeMismatch(r: avro.Type, w: avro.Type, location: string[], fieldPath: string): AvroIncompatibility[] {
    return [
      this.incompatible(
        'TYPE_MISMATCH',
        location,
        `reader type: ${upper(r)} not compatible with writer type: ${upper(w)}`,
        fieldPath,
      ),
    ];
  }

  private compute(r: avro.Type, w: avro.Type, location: string[], fieldPath: string): AvroIncompatibility[] {
    const rk = avroKind(r);
    const wk = avroKind(w);
    if (rk === wk) {
      switch (rk) {
        case 'array':
          return this.check(
            (r as avro.types.ArrayType).itemsType,
            (w as avro.types.ArrayType).itemsType,
            [...location, 'items'],
            fieldPath,
          );
        case 'map':
          return this.check(
            (r as avro.types.MapType).valuesType as avro.Type,
            (w as avro.types.MapType).valuesType as avro.Type,
            [...location, 'values'],
            fieldPath,
          );
        case 'fixed': {
          const out = this.checkNames(r, w, location, fieldPath);
          const rs = (r as avro.types.FixedType).size;
          const ws = (w as avro.types.FixedType).size;
          if (rs !== ws) {
            out.push(
              this.incompatible('FIXED_SIZE_MISMATCH', [...location, 'size'], `expected: ${ws}, found: ${rs}`, fieldPath),
            );
          }
          return out;
        }
        case 'enum': {
          const out = this.checkNames(r, w, location, fieldPath);
          const re = r as avro.types.EnumType & { default?: string };
          const we = w as avro.types.EnumType;
          const missing = we.symbols.filter((s) => !re.symbols.includes(s)).sort();
          const readerDefault = re.default !== undefined && re.symbols.includes(re.default);
          if (missing.length > 0 && !readerDefault) {
            out.push(
              this.incompatible('MISSING_ENUM_SYMBOLS', [...location, 'symbols'], `[${missing.join(', ')}]`, fieldPath),
            );
          }
          return out;
        }
        case 'record':
          return [
            ...this.checkNames(r, w, location, fieldPath),
            ...this.checkFields(r as avro.types.RecordType, w as avro.types.RecordType, location, fieldPath),
          ];
        case 'union': {
          const out: AvroIncompatibility[] = [];
          (w as avro.types.UnwrappedUnionType).types.forEach((branch, i) => {
            if (this.check(r, branch, [...location, String(i)], fieldPath).length > 0) {
              out.push(
                this.incompatible(
                  'MISSING_UNION_BRANCH',
                  [...location, String(i)],
                  `reader union lacking writer type: ${upper(branch)}`,
                  fieldPath,
                ),
              );
            }
          });
          return out;
        }
        default:
          return [];
      }
    }
    if (wk === 'union') {
      // Every branch the writer may have written must be readable.
      return (w as avro.types.UnwrappedUnionType).types.flatMap((branch, i) =>
        this.check(r, branch, [...location, String(i)], fieldPath),
      );
    }
    if (rk === 'union') {
      for (const branch of (r as avro.types.UnwrappedUnionType).types) {
        if (this.check(branch, w, location, fieldPath).length === 0) return [];
      }
      return [
        this.incompatible('MISSING_UNION_BRANCH', location, `reader union lacking writer type: ${upper(w)}`, fieldPath),
      ];
    }
    if (PROMOTIONS[rk]?.includes(wk)) return [];
    return this.typeMismatch(r, w, location, fieldPath);
  }

  private checkNames(r: avro.Type, w: avro.Type, location: string[], fieldPath: string): AvroIncompatibility[] {
    if (simpleName(r.name) === simpleName(w.name)) return [];
    if ((r.aliases ?? []).includes(w.name ?? '')) return [];
    return [this.incompatible('NAME_MISMATCH', [...location, 'name'], `expected: ${w.name ?? ''}`, fieldPath)];
  }

  private checkFields(
    r: avro.types.RecordType,
    w: avro.types.RecordType,
    location: string[],
    fieldPath: string,
  ): AvroIncompatibility[] {
    const out: AvroIncompatibility[] = [];
    const recordPath = fieldPath || simpleName(r.name);
    r.fields.forEach((readerField, i) => {
      const at = [...location, 'fields', String(i)];
      const path = `${recordPath}.${readerField.name}`;
      const writerField =
        w.fields.find((f) => f.name === readerField.name) ??
        readerField.aliases.map((alias) => w.fields.find((f) => f.name === alias)).find((f) => f !== undefined);
      if (!writerField) {
        if (readerField.defaultValue() === undefined) {
          const readerType = unwrap(readerField.type) as avro.types.EnumType & { default?: string };
          if (avroKind(readerType) === 'enum' && readerType.default !== undefined) {
            // Avro's own quirk, kept for fidelity: it then compares the enum with the writer record.
            out.push(...this.check(readerField.type, w, [...at, 'type'], path));
          } else {
            out.push(this.incompatible('READER_FIELD_MISSING_DEFAULT_VALUE', at, readerField.name, path));
          }
        }
        return;
      }
      out.push(...this.check(readerField.type, writerField.type, [...at, 'type'], path));
    });
    return out;
  }
}

function formatLocation(location: string[]): string {
  return '/' + location.map((c) => c.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

/** Every reason why `reader` cannot read data written with `writer`, structured. */
export function avroIncompatibilities(reader: avro.Type, writer: avro.Type): AvroIncompatibility[] {
  return new Checker().check(reader, writer, [], '');
}

/** Confluent's wording of one incompatibility. */
export function formatAvroIncompatibility(incompatibility: AvroIncompatibility, readerRole: ReaderRole = 'new'): string {
  const { reader, writer } = roleWords(readerRole);
  const { errorType, location: path, additionalInfo } = incompatibility;
  let description: string;
  switch (errorType) {
    case 'FIXED_SIZE_MISMATCH':
      description = `The size of FIXED type field at path '${path}' in the ${reader} schema does not match with the ${writer} schema`;
      break;
    case 'TYPE_MISMATCH':
      description = `The type (path '${path}') of a field in the ${reader} schema does not match with the ${writer} schema`;
      break;
    case 'NAME_MISMATCH':
      description = `The name of the schema has changed (path '${path}')`;
      break;
    case 'MISSING_ENUM_SYMBOLS':
      description = `The ${reader} schema is missing enum symbols '${additionalInfo}' at path '${path}' in the ${writer} schema`;
      break;
    case 'MISSING_UNION_BRANCH':
      description = `The ${reader} schema is missing a type inside a union field at path '${path}' in the ${writer} schema`;
      break;
    case 'READER_FIELD_MISSING_DEFAULT_VALUE':
      description = `The field '${additionalInfo}' at path '${path}' in the ${reader} schema has no default value and is missing in the ${writer} schema`;
      break;
  }
  return `{errorType:'${errorType}', description:'${description}', additionalInfo:'${additionalInfo}'}`;
}

/** Whether avsc can build a resolver (the decoding-time view of the same question). */
export function avscCanResolve(reader: avro.Type, writer: avro.Type): boolean {
  try {
    reader.createResolver(writer);
    return true;
  } catch {
    return false;
  }
}
