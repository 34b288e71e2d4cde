/**
 * .proto files a schema may import without a reference, as Confluent allows: Google's
 * well-known types and Confluent's own `confluent/meta.proto` and `confluent/type/decimal.proto`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';

const require = createRequire(import.meta.url);

function protobufjsFile(name: string): string {
  return readFileSync(require.resolve(`protobufjs/${name}`), 'utf8');
}

const CONFLUENT_META = `syntax = "proto3";
package confluent;
message Meta {
  string doc = 1;
  map<string, string> params = 2;
  repeated string tags = 3;
}
`;

const CONFLUENT_DECIMAL = `syntax = "proto3";
package confluent.type;
message Decimal {
  bytes value = 1;
  uint32 precision = 2;
  int32 scale = 3;
}
`;

const TEXT_FILES: Record<string, () => string> = {
  'confluent/meta.proto': () => CONFLUENT_META,
  'confluent/type/decimal.proto': () => CONFLUENT_DECIMAL,
  'google/protobuf/descriptor.proto': () => protobufjsFile('google/protobuf/descriptor.proto'),
  'google/protobuf/source_context.proto': () => protobufjsFile('google/protobuf/source_context.proto'),
  'google/protobuf/type.proto': () => protobufjsFile('google/protobuf/type.proto'),
  'google/protobuf/api.proto': () => protobufjsFile('google/protobuf/api.proto'),
};

/** Imports of a built-in file (so they can be added first). */
const BUILTIN_IMPORTS: Record<string, string[]> = {
  'google/protobuf/type.proto': ['google/protobuf/any.proto', 'google/protobuf/source_context.proto'],
  'google/protobuf/api.proto': ['google/protobuf/source_context.proto', 'google/protobuf/type.proto'],
};

export function isBuiltinProto(path: string): boolean {
  return path in TEXT_FILES || protobuf.common.get(path) !== null;
}

/** Adds a built-in file (and what it imports) to a root; returns the files added. */
export function addBuiltinProto(root: protobuf.Root, path: string, added: Set<string>): void {
  if (added.has(path)) return;
  added.add(path);
  for (const dep of BUILTIN_IMPORTS[path] ?? []) addBuiltinProto(root, dep, added);
  const text = TEXT_FILES[path];
  if (text) {
    const parse = protobuf.parse as unknown as { filename: string | null };
    parse.filename = path;
    protobuf.parse(text(), root, { keepCase: true, alternateCommentMode: true });
    parse.filename = null;
    return;
  }
  const json = protobuf.common.get(path);
  if (json) root.addJSON((json as { nested: Record<string, protobuf.AnyNestedObject> }).nested);
}
