/**
 * The Flink SQL syntax tree.
 *
 * Every union is closed and tagged by `kind`, every node carries the `span` of the source it came
 * from (for error messages of later phases). The tree is syntax, not semantics: names are not
 * resolved, and `a.b.c` stays a `ColumnRef` with three parts because only the validator knows
 * whether `a` is a table or a ROW column. A few spellings are normalized while parsing because
 * they mean the same thing (INTEGER → INT, `x::T` → CAST, `!=` → `<>`, SECONDS → SECOND, inline
 * PRIMARY KEY → table constraint), so consumers see one form.
 *
 * Handlers over a union are written as `Handlers<Union, R>`, a record with one function per kind:
 * adding a kind makes every visitor that forgot it fail to compile.
 */
import type { Span } from './lexer.ts';

export type { Span } from './lexer.ts';

interface Node {
  span: Span;
}

// ---------------------------------------------------------------------------------------------
// Names

export interface Identifier extends Node {
  kind: 'Identifier';
  value: string;
  /**
   * Written with backticks or double quotes. Flink names are case-sensitive either way, so this
   * only affects printing: quoted names keep their quotes (reserved and non-plain names get them anyway).
   */
  quoted: boolean;
}

/** A possibly qualified object name: `t`, `db.t`, `catalog.db.t`. */
export interface ObjectName extends Node {
  kind: 'ObjectName';
  parts: Identifier[];
}

// ---------------------------------------------------------------------------------------------
// Data types

export type TimeUnit =
  | 'YEAR'
  | 'QUARTER'
  | 'MONTH'
  | 'WEEK'
  | 'DAY'
  | 'HOUR'
  | 'MINUTE'
  | 'SECOND'
  | 'MILLISECOND'
  | 'MICROSECOND'
  | 'NANOSECOND';

/** `DAY`, `DAY(2) TO SECOND(3)`, `YEAR TO MONTH`, ... */
export interface IntervalQualifier extends Node {
  kind: 'IntervalQualifier';
  start: TimeUnit;
  startPrecision: number | undefined;
  end: TimeUnit | undefined;
  /** Fractional-second precision of the end (or of a lone SECOND). */
  fractionalPrecision: number | undefined;
}

export type ScalarTypeName =
  | 'BOOLEAN'
  | 'TINYINT'
  | 'SMALLINT'
  | 'INT'
  | 'BIGINT'
  | 'FLOAT'
  | 'DOUBLE'
  | 'DECIMAL'
  | 'CHAR'
  | 'VARCHAR'
  | 'STRING'
  | 'BINARY'
  | 'VARBINARY'
  | 'BYTES'
  | 'DATE'
  | 'TIME'
  | 'TIMESTAMP'
  | 'TIMESTAMP_LTZ'
  | 'NULL';

interface TypeNode extends Node {
  /** `NOT NULL` was written; an explicit `NULL` is the default and is not kept. */
  notNull: boolean;
}

/** Types without structure; `precision` is the length for CHAR/VARCHAR/BINARY/VARBINARY. */
export interface ScalarType extends TypeNode {
  kind: 'ScalarType';
  name: ScalarTypeName;
  precision: number | undefined;
  scale: number | undefined;
}

export interface IntervalType extends TypeNode {
  kind: 'IntervalType';
  qualifier: IntervalQualifier;
}

export interface ArrayType extends TypeNode {
  kind: 'ArrayType';
  element: DataType;
}

export interface MultisetType extends TypeNode {
  kind: 'MultisetType';
  element: DataType;
}

export interface MapType extends TypeNode {
  kind: 'MapType';
  key: DataType;
  value: DataType;
}

export interface RowTypeField extends Node {
  kind: 'RowTypeField';
  name: Identifier;
  type: DataType;
  comment: string | undefined;
}

/** `ROW<a INT, b STRING>` or `ROW(a INT, b STRING)`; the printer uses the angle-bracket form. */
export interface RowType extends TypeNode {
  kind: 'RowType';
  fields: RowTypeField[];
}

export type DataType = ScalarType | IntervalType | ArrayType | MultisetType | MapType | RowType;

// ---------------------------------------------------------------------------------------------
// Expressions

export interface NumberLiteral extends Node {
  kind: 'NumberLiteral';
  /** As written (`1`, `0.908`, `1e3`): exact decimals must survive until typing decides. */
  text: string;
}

export interface StringLiteral extends Node {
  kind: 'StringLiteral';
  value: string;
}

export interface BinaryStringLiteral extends Node {
  kind: 'BinaryStringLiteral';
  hex: string;
}

export interface BooleanLiteral extends Node {
  kind: 'BooleanLiteral';
  value: boolean;
}

export interface NullLiteral extends Node {
  kind: 'NullLiteral';
}

/** `DATE '2024-01-01'`, `TIME '12:00:00'`, `TIMESTAMP '2024-01-01 12:00:00'`, `TIMESTAMP_LTZ '...'`. */
export interface TypedLiteral extends Node {
  kind: 'TypedLiteral';
  type: 'DATE' | 'TIME' | 'TIMESTAMP' | 'TIMESTAMP_LTZ';
  value: string;
}

/** `INTERVAL '10' SECOND`, `INTERVAL -'1' DAY`, `INTERVAL '1 2' DAY TO HOUR`. */
export interface IntervalLiteral extends Node {
  kind: 'IntervalLiteral';
  negative: boolean;
  value: string;
  qualifier: IntervalQualifier;
}

/** A column or a field path: `a`, `t.a`, `` `t`.`a` ``, `` `$rowtime` ``, `r.nested.field`. */
export interface ColumnRef extends Node {
  kind: 'ColumnRef';
  parts: Identifier[];
}

/** `*` or `t.*` in a select list, and the `*` of `COUNT(*)`. */
export interface Star extends Node {
  kind: 'Star';
  qualifier: Identifier[];
}

export type UnaryOperator = '-' | '+' | 'NOT';

export interface UnaryExpression extends Node {
  kind: 'Unary';
  operator: UnaryOperator;
  operand: Expression;
}

export type BinaryOperator = 'OR' | 'AND' | '=' | '<>' | '<' | '>' | '<=' | '>=' | '||' | '+' | '-' | '*' | '/' | '%';

export interface BinaryExpression extends Node {
  kind: 'Binary';
  operator: BinaryOperator;
  left: Expression;
  right: Expression;
}

/** `x IS [NOT] NULL | TRUE | FALSE | UNKNOWN | JSON [VALUE | SCALAR | ARRAY | OBJECT]`. */
export interface IsExpression extends Node {
  kind: 'Is';
  operand: Expression;
  negated: boolean;
  test: 'NULL' | 'TRUE' | 'FALSE' | 'UNKNOWN' | 'JSON' | 'JSON VALUE' | 'JSON SCALAR' | 'JSON ARRAY' | 'JSON OBJECT';
}

/** `x IS [NOT] DISTINCT FROM y`. */
export interface IsDistinctFrom extends Node {
  kind: 'IsDistinctFrom';
  left: Expression;
  right: Expression;
  negated: boolean;
}

export interface Between extends Node {
  kind: 'Between';
  operand: Expression;
  low: Expression;
  high: Expression;
  negated: boolean;
  symmetric: boolean;
}

export interface InList extends Node {
  kind: 'InList';
  operand: Expression;
  list: Expression[];
  negated: boolean;
}

export interface InSubquery extends Node {
  kind: 'InSubquery';
  operand: Expression;
  query: Query;
  negated: boolean;
}

/** `x [NOT] LIKE p [ESCAPE e]` and `x [NOT] SIMILAR TO p [ESCAPE e]`. */
export interface Like extends Node {
  kind: 'Like';
  operator: 'LIKE' | 'SIMILAR TO';
  operand: Expression;
  pattern: Expression;
  escape: Expression | undefined;
  negated: boolean;
}

export interface Exists extends Node {
  kind: 'Exists';
  query: Query;
}

export interface ScalarSubquery extends Node {
  kind: 'ScalarSubquery';
  query: Query;
}

export interface WindowFrameBound extends Node {
  kind: 'WindowFrameBound';
  bound: 'UNBOUNDED PRECEDING' | 'UNBOUNDED FOLLOWING' | 'CURRENT ROW' | 'PRECEDING' | 'FOLLOWING';
  /** The `n` of `n PRECEDING` / `n FOLLOWING`. */
  offset: Expression | undefined;
}

export interface WindowFrame extends Node {
  kind: 'WindowFrame';
  units: 'ROWS' | 'RANGE';
  start: WindowFrameBound;
  /** Present when written as `BETWEEN start AND end`. */
  end: WindowFrameBound | undefined;
}

/** The `(...)` of OVER or of the WINDOW clause. */
export interface WindowSpec extends Node {
  kind: 'WindowSpec';
  /** `OVER (w ORDER BY ...)` refines the named window `w`. */
  baseWindow: Identifier | undefined;
  partitionBy: Expression[];
  orderBy: OrderItem[];
  frame: WindowFrame | undefined;
}

/** `{NULL | ERROR | TRUE | FALSE | UNKNOWN | EMPTY ARRAY | EMPTY OBJECT | ABSENT | DEFAULT expr} ON {EMPTY | ERROR | NULL}` */
export interface JsonOnClause extends Node {
  kind: 'JsonOnClause';
  behavior: 'NULL' | 'ERROR' | 'TRUE' | 'FALSE' | 'UNKNOWN' | 'EMPTY ARRAY' | 'EMPTY OBJECT' | 'ABSENT' | 'DEFAULT';
  /** The expression of `DEFAULT expr`. */
  defaultValue: Expression | undefined;
  on: 'EMPTY' | 'ERROR' | 'NULL';
}

/** `WITHOUT [ARRAY] WRAPPER`, `WITH [CONDITIONAL | UNCONDITIONAL] [ARRAY] WRAPPER` (plain WITH is UNCONDITIONAL). */
export interface JsonWrapperClause extends Node {
  kind: 'JsonWrapperClause';
  wrapper: 'WITHOUT' | 'WITH CONDITIONAL' | 'WITH UNCONDITIONAL';
}

/** Keyword clauses that end the argument list of Flink's JSON functions. */
export type CallClause = JsonOnClause | JsonWrapperClause;

/**
 * A call with ordinary syntax: `f(a, b)`, `COUNT(*)`, `COUNT(DISTINCT x) FILTER (WHERE ...) OVER w`,
 * including the JSON functions; `JSON_OBJECT(KEY k VALUE v, ...)` and `JSON_OBJECTAGG` keep their
 * key/value pairs flattened in `args` (k1, v1, k2, v2, ...).
 */
export interface FunctionCall extends Node {
  kind: 'FunctionCall';
  name: ObjectName;
  args: Expression[];
  distinct: boolean;
  filter: Expression | undefined;
  /** `OVER (...)` or `OVER w`. */
  over: WindowSpec | Identifier | undefined;
  /** `JSON_VALUE(x, '$.a' RETURNING INT)`. */
  returning: DataType | undefined;
  /** `JSON_VALUE(x, '$.a' DEFAULT 0 ON EMPTY NULL ON ERROR)`, `JSON_ARRAY(a, b ABSENT ON NULL)`. */
  clauses: CallClause[];
}

/** Functions Flink lets you call without parentheses: CURRENT_TIMESTAMP, LOCALTIME, ... */
export interface NiladicCall extends Node {
  kind: 'NiladicCall';
  name: string;
}

/** `name => value` inside a table-valued function call. */
export interface NamedArgument extends Node {
  kind: 'NamedArgument';
  name: Identifier;
  value: Expression;
}

/** `TABLE t [PARTITION BY ...] [ORDER BY ...]` as an argument of a table-valued function. */
export interface TableArgument extends Node {
  kind: 'TableArgument';
  table: ObjectName;
  partitionBy: Expression[];
  orderBy: OrderItem[];
}

/** `DESCRIPTOR(col, ...)`: names columns of the table argument. */
export interface Descriptor extends Node {
  kind: 'Descriptor';
  columns: Identifier[];
}

/** A bare time unit as the first argument of TIMESTAMPADD/TIMESTAMPDIFF. */
export interface TimeUnitArgument extends Node {
  kind: 'TimeUnitArgument';
  unit: string;
}

/** `CAST(x AS T)`, `TRY_CAST(x AS T)`, `x::T`. */
export interface Cast extends Node {
  kind: 'Cast';
  operand: Expression;
  type: DataType;
  safe: boolean;
}

export interface CaseWhen extends Node {
  kind: 'CaseWhen';
  condition: Expression;
  result: Expression;
}

/** Searched (`operand` undefined) or simple CASE. */
export interface Case extends Node {
  kind: 'Case';
  operand: Expression | undefined;
  whens: CaseWhen[];
  otherwise: Expression | undefined;
}

/** `EXTRACT(unit FROM x)`; units include DOW, DOY, EPOCH, ... beyond the interval units. */
export interface ExtractField extends Node {
  kind: 'Extract';
  unit: string;
  source: Expression;
}

/** `POSITION(needle IN haystack)`. */
export interface Position extends Node {
  kind: 'Position';
  needle: Expression;
  haystack: Expression;
}

/** `TRIM([BOTH|LEADING|TRAILING] [chars] FROM source)` or `TRIM(source)`. */
export interface Trim extends Node {
  kind: 'Trim';
  side: 'BOTH' | 'LEADING' | 'TRAILING' | undefined;
  characters: Expression | undefined;
  source: Expression;
}

/** `SUBSTRING(x FROM a [FOR b])`; the comma form `SUBSTRING(x, a, b)` is an ordinary call. */
export interface Substring extends Node {
  kind: 'Substring';
  source: Expression;
  from: Expression;
  length: Expression | undefined;
}

/** `OVERLAY(x PLACING y FROM a [FOR b])`. */
export interface Overlay extends Node {
  kind: 'Overlay';
  source: Expression;
  replacement: Expression;
  from: Expression;
  length: Expression | undefined;
}

export interface ArrayConstructor extends Node {
  kind: 'ArrayConstructor';
  elements: Expression[];
}

/** `MAP[k1, v1, k2, v2]`. */
export interface MapConstructor extends Node {
  kind: 'MapConstructor';
  entries: { key: Expression; value: Expression }[];
}

/** `ROW(a, b)`. */
export interface RowConstructor extends Node {
  kind: 'RowConstructor';
  fields: Expression[];
}

/** `a[1]`, `m['key']`. */
export interface Subscript extends Node {
  kind: 'Subscript';
  target: Expression;
  index: Expression;
}

/** `expr.field` where expr is not a plain name (plain dotted names are ColumnRef). */
export interface FieldAccess extends Node {
  kind: 'FieldAccess';
  target: Expression;
  field: Identifier;
}

/** `?` */
export interface Parameter extends Node {
  kind: 'Parameter';
  index: number;
}

export type Expression =
  | NumberLiteral
  | StringLiteral
  | BinaryStringLiteral
  | BooleanLiteral
  | NullLiteral
  | TypedLiteral
  | IntervalLiteral
  | ColumnRef
  | Star
  | UnaryExpression
  | BinaryExpression
  | IsExpression
  | IsDistinctFrom
  | Between
  | InList
  | InSubquery
  | Like
  | Exists
  | ScalarSubquery
  | FunctionCall
  | NiladicCall
  | NamedArgument
  | TableArgument
  | Descriptor
  | TimeUnitArgument
  | Cast
  | Case
  | ExtractField
  | Position
  | Trim
  | Substring
  | Overlay
  | ArrayConstructor
  | MapConstructor
  | RowConstructor
  | Subscript
  | FieldAccess
  | Parameter;

// ---------------------------------------------------------------------------------------------
// Queries

export interface OrderItem extends Node {
  kind: 'OrderItem';
  expression: Expression;
  direction: 'ASC' | 'DESC' | undefined;
  nulls: 'FIRST' | 'LAST' | undefined;
}

export interface SelectItem extends Node {
  kind: 'SelectItem';
  /** A Star for `*` / `t.*`. */
  expression: Expression;
  alias: Identifier | undefined;
}

/** `/*+ NAME('k' = 'v') *\/` or `/*+ NAME(a, b) *\/`. */
export interface Hint extends Node {
  kind: 'Hint';
  name: Identifier;
  /** Key-value options (OPTIONS, STATE_TTL with keys) ... */
  options: Property[];
  /** ... or plain list items (BROADCAST(t1, t2)); literal items keep their text. */
  items: string[];
}

export interface GroupingSets extends Node {
  kind: 'GroupingSets';
  sets: GroupingElement[][];
}

export interface Rollup extends Node {
  kind: 'Rollup';
  expressions: Expression[];
}

export interface Cube extends Node {
  kind: 'Cube';
  expressions: Expression[];
}

export type GroupingElement = Expression | GroupingSets | Rollup | Cube;

export interface NamedWindow extends Node {
  kind: 'NamedWindow';
  name: Identifier;
  spec: WindowSpec;
}

export interface Select extends Node {
  kind: 'Select';
  hints: Hint[];
  /** DISTINCT, ALL, or neither written. */
  quantifier: 'DISTINCT' | 'ALL' | undefined;
  items: SelectItem[];
  from: TableRef | undefined;
  where: Expression | undefined;
  groupBy: GroupingElement[];
  having: Expression | undefined;
  windows: NamedWindow[];
}

export interface Values extends Node {
  kind: 'Values';
  rows: Expression[][];
}

export interface SetOperation extends Node {
  kind: 'SetOperation';
  operator: 'UNION' | 'INTERSECT' | 'EXCEPT';
  all: boolean;
  left: QueryBody;
  right: QueryBody;
}

/** A query body is what set operations combine; a parenthesized query with ORDER BY/LIMIT/WITH nests as a Query. */
export type QueryBody = Select | Values | SetOperation | Query;

export interface CommonTableExpression extends Node {
  kind: 'CommonTableExpression';
  name: Identifier;
  columns: Identifier[];
  query: Query;
}

export interface Query extends Node {
  kind: 'Query';
  with: CommonTableExpression[];
  body: QueryBody;
  orderBy: OrderItem[];
  limit: Expression | undefined;
  offset: Expression | undefined;
}

/** `AS alias` or `AS alias(c1, c2)` after a table reference. */
export interface TableAlias extends Node {
  kind: 'TableAlias';
  name: Identifier;
  columns: Identifier[];
}

export interface TableName extends Node {
  kind: 'TableName';
  name: ObjectName;
  hints: Hint[];
  /** `FOR SYSTEM_TIME AS OF expr`: a temporal (versioned) lookup. */
  systemTime: Expression | undefined;
  alias: TableAlias | undefined;
}

export type JoinType = 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'CROSS' | 'COMMA';

export interface JoinOn extends Node {
  kind: 'JoinOn';
  condition: Expression;
}

export interface JoinUsing extends Node {
  kind: 'JoinUsing';
  columns: Identifier[];
}

export interface Join extends Node {
  kind: 'Join';
  joinType: JoinType;
  left: TableRef;
  right: TableRef;
  /** Absent for CROSS and comma joins. */
  criteria: JoinOn | JoinUsing | undefined;
}

/** `(SELECT ...) [AS] alias`, `LATERAL (SELECT ...)`. */
export interface DerivedTable extends Node {
  kind: 'DerivedTable';
  lateral: boolean;
  query: Query;
  alias: TableAlias | undefined;
}

/** `TABLE(f(...))` (window TVFs) or `LATERAL TABLE(f(...))` (table functions). */
export interface TableFunction extends Node {
  kind: 'TableFunction';
  lateral: boolean;
  call: FunctionCall;
  alias: TableAlias | undefined;
}

export interface Unnest extends Node {
  kind: 'Unnest';
  arguments: Expression[];
  withOrdinality: boolean;
  alias: TableAlias | undefined;
}

/** A join written in parentheses, kept so `a JOIN (b JOIN c ON ...) ON ...` prints back the same. */
export interface ParenthesizedTableRef extends Node {
  kind: 'ParenthesizedTableRef';
  inner: TableRef;
}

/** `A`, `A+`, `B{2,}?`: a pattern variable with an optional quantifier. */
export interface PatternVariable extends Node {
  kind: 'PatternVariable';
  name: Identifier;
  quantifier: PatternQuantifier | undefined;
}

/** `( pattern )` with an optional quantifier. */
export interface PatternGroup extends Node {
  kind: 'PatternGroup';
  pattern: RowPattern;
  quantifier: PatternQuantifier | undefined;
}

/** `A B C`: concatenation. */
export interface PatternSequence extends Node {
  kind: 'PatternSequence';
  items: RowPattern[];
}

/** `A | B`. */
export interface PatternAlternation extends Node {
  kind: 'PatternAlternation';
  alternatives: RowPattern[];
}

/** `*` is {0, unbounded}, `+` {1, unbounded}, `?` {0, 1}; a trailing `?` makes it reluctant. */
export interface PatternQuantifier extends Node {
  kind: 'PatternQuantifier';
  min: number;
  /** undefined = unbounded */
  max: number | undefined;
  reluctant: boolean;
}

export type RowPattern = PatternVariable | PatternGroup | PatternSequence | PatternAlternation;

export interface PatternDefinition extends Node {
  kind: 'PatternDefinition';
  variable: Identifier;
  condition: Expression;
}

/** `AFTER MATCH SKIP TO NEXT ROW | PAST LAST ROW | TO FIRST v | TO LAST v | TO v`. */
export interface AfterMatchSkip extends Node {
  kind: 'AfterMatchSkip';
  to: 'NEXT ROW' | 'PAST LAST ROW' | 'FIRST' | 'LAST' | 'VARIABLE';
  /** Set exactly for FIRST, LAST and VARIABLE. */
  variable: Identifier | undefined;
}

/** `input MATCH_RECOGNIZE (...) [AS alias]`: complex event processing over an ordered partition. */
export interface MatchRecognize extends Node {
  kind: 'MatchRecognize';
  input: TableRef;
  partitionBy: Expression[];
  orderBy: OrderItem[];
  /** `expr AS name`; the alias is required. */
  measures: SelectItem[];
  rowsPerMatch: 'ONE ROW PER MATCH' | 'ALL ROWS PER MATCH' | undefined;
  afterMatch: AfterMatchSkip | undefined;
  pattern: RowPattern;
  /** `WITHIN INTERVAL '5' SECOND` */
  within: Expression | undefined;
  define: PatternDefinition[];
  alias: TableAlias | undefined;
}

export type TableRef = TableName | Join | DerivedTable | TableFunction | Unnest | ParenthesizedTableRef | MatchRecognize;

// ---------------------------------------------------------------------------------------------
// Statements

/** `'key' = 'value'` in WITH (...), SET, hints. */
export interface Property extends Node {
  kind: 'Property';
  key: string;
  value: string;
}

export interface PhysicalColumn extends Node {
  kind: 'PhysicalColumn';
  name: Identifier;
  type: DataType;
  comment: string | undefined;
}

/** `name AS expr [COMMENT '...']` */
export interface ComputedColumn extends Node {
  kind: 'ComputedColumn';
  name: Identifier;
  expression: Expression;
  comment: string | undefined;
}

/** `name TYPE METADATA [FROM 'key'] [VIRTUAL] [COMMENT '...']` */
export interface MetadataColumn extends Node {
  kind: 'MetadataColumn';
  name: Identifier;
  type: DataType;
  metadataKey: string | undefined;
  virtual: boolean;
  comment: string | undefined;
}

export type ColumnDefinition = PhysicalColumn | ComputedColumn | MetadataColumn;

export interface PrimaryKey extends Node {
  kind: 'PrimaryKey';
  constraintName: Identifier | undefined;
  columns: Identifier[];
}

export interface Watermark extends Node {
  kind: 'Watermark';
  column: ColumnRef;
  expression: Expression;
}

/** `DISTRIBUTED BY [HASH|RANGE](cols) [INTO n BUCKETS]` or `DISTRIBUTED INTO n BUCKETS`. */
export interface Distribution extends Node {
  kind: 'Distribution';
  algorithm: 'HASH' | 'RANGE' | undefined;
  columns: Identifier[];
  buckets: number | undefined;
}

/** `LIKE source [(INCLUDING ALL EXCLUDING OPTIONS ...)]`: the option words are kept upper-cased, in order. */
export interface TableLike extends Node {
  kind: 'TableLike';
  name: ObjectName;
  options: string[];
}

export interface CreateTable extends Node {
  kind: 'CreateTable';
  /** `CREATE OR REPLACE TABLE ... AS SELECT` */
  orReplace: boolean;
  temporary: boolean;
  ifNotExists: boolean;
  name: ObjectName;
  columns: ColumnDefinition[];
  /** Inline `col T PRIMARY KEY NOT ENFORCED` is normalized into this table constraint. */
  primaryKey: PrimaryKey | undefined;
  watermark: Watermark | undefined;
  comment: string | undefined;
  partitionedBy: Identifier[];
  distribution: Distribution | undefined;
  options: Property[];
  like: TableLike | undefined;
  asQuery: Query | undefined;
}

export interface CreateView extends Node {
  kind: 'CreateView';
  temporary: boolean;
  ifNotExists: boolean;
  name: ObjectName;
  columns: Identifier[];
  comment: string | undefined;
  query: Query;
}

export interface CreateFunction extends Node {
  kind: 'CreateFunction';
  temporary: boolean;
  system: boolean;
  ifNotExists: boolean;
  name: ObjectName;
  className: string;
  language: 'JAVA' | 'SCALA' | 'PYTHON' | undefined;
}

/** `ALTER TABLE t SET ('k' = 'v', ...)` */
export interface AlterTableSetOptions extends Node {
  kind: 'AlterTableSetOptions';
  options: Property[];
}

/** `ALTER TABLE t RESET ('k', ...)` */
export interface AlterTableResetOptions extends Node {
  kind: 'AlterTableResetOptions';
  keys: string[];
}

export type SchemaElement = ColumnDefinition | PrimaryKey | Watermark;

/** `FIRST` or `AFTER column` after a column in ALTER TABLE ADD/MODIFY. */
export interface ColumnPosition extends Node {
  kind: 'ColumnPosition';
  placement: 'FIRST' | 'AFTER';
  /** The column to place it after (AFTER only). */
  reference: Identifier | undefined;
}

/** `ALTER TABLE t ADD|MODIFY element` or `ADD|MODIFY (element, ...)`. */
export interface AlterTableAddOrModify extends Node {
  kind: 'AlterTableAddOrModify';
  operation: 'ADD' | 'MODIFY';
  elements: SchemaElement[];
  /** Parallel to `elements`: where a column goes, when written. */
  positions: (ColumnPosition | undefined)[];
  parenthesized: boolean;
}

export interface AlterTableDropColumns extends Node {
  kind: 'AlterTableDropColumns';
  columns: Identifier[];
}

export interface AlterTableDropConstraint extends Node {
  kind: 'AlterTableDropConstraint';
  /** PRIMARY KEY, WATERMARK, or a named constraint. */
  target: 'PRIMARY KEY' | 'WATERMARK' | Identifier;
}

export interface AlterTableRenameColumn extends Node {
  kind: 'AlterTableRenameColumn';
  from: Identifier;
  to: Identifier;
}

export interface AlterTableRename extends Node {
  kind: 'AlterTableRename';
  to: ObjectName;
}

export type AlterTableAction =
  | AlterTableSetOptions
  | AlterTableResetOptions
  | AlterTableAddOrModify
  | AlterTableDropColumns
  | AlterTableDropConstraint
  | AlterTableRenameColumn
  | AlterTableRename;

export interface AlterTable extends Node {
  kind: 'AlterTable';
  ifExists: boolean;
  name: ObjectName;
  action: AlterTableAction;
}

export interface Drop extends Node {
  kind: 'Drop';
  objectType: 'TABLE' | 'VIEW' | 'FUNCTION' | 'DATABASE' | 'CATALOG';
  temporary: boolean;
  ifExists: boolean;
  name: ObjectName;
}

export interface PartitionValue extends Node {
  kind: 'PartitionValue';
  column: Identifier;
  value: Expression;
}

export interface Insert extends Node {
  kind: 'Insert';
  overwrite: boolean;
  table: ObjectName;
  hints: Hint[];
  /** `PARTITION (k = 'v', ...)` static partition values. */
  partition: PartitionValue[];
  columns: Identifier[];
  source: Query;
}

/** `[EXECUTE] STATEMENT SET BEGIN insert; ... END` */
export interface StatementSet extends Node {
  kind: 'StatementSet';
  execute: boolean;
  inserts: Insert[];
}

/** `SET 'k' = 'v'`, or `SET` alone to list every option (key undefined). */
export interface SetOption extends Node {
  kind: 'SetOption';
  key: string | undefined;
  value: string | undefined;
}

/** `RESET 'k'` or `RESET` (all). */
export interface ResetOption extends Node {
  kind: 'ResetOption';
  key: string | undefined;
}

export type ShowObject =
  | 'TABLES'
  | 'VIEWS'
  | 'FUNCTIONS'
  | 'USER FUNCTIONS'
  | 'CATALOGS'
  | 'DATABASES'
  | 'STATEMENTS'
  | 'JOBS'
  | 'MODULES'
  | 'CURRENT CATALOG'
  | 'CURRENT DATABASE';

export interface Show extends Node {
  kind: 'Show';
  object: ShowObject;
  /** `FROM|IN db` for SHOW TABLES / VIEWS / FUNCTIONS. */
  from: ObjectName | undefined;
  like: { negated: boolean; ilike: boolean; pattern: string } | undefined;
}

export interface ShowCreate extends Node {
  kind: 'ShowCreate';
  objectType: 'TABLE' | 'VIEW';
  name: ObjectName;
}

export interface Describe extends Node {
  kind: 'Describe';
  extended: boolean;
  name: ObjectName;
}

export interface Explain extends Node {
  kind: 'Explain';
  /** `EXPLAIN PLAN FOR ...` (kept for printing) vs `EXPLAIN ...`. */
  planFor: boolean;
  /** ESTIMATED_COST, CHANGELOG_MODE, JSON_EXECUTION_PLAN, ... */
  details: string[];
  statement: Statement;
}

export interface Use extends Node {
  kind: 'Use';
  /** `USE CATALOG c` vs `USE [catalog.]db`. */
  catalog: boolean;
  name: ObjectName;
}

export type Statement =
  | Query
  | CreateTable
  | CreateView
  | CreateFunction
  | AlterTable
  | Drop
  | Insert
  | StatementSet
  | SetOption
  | ResetOption
  | Show
  | ShowCreate
  | Describe
  | Explain
  | Use;

// ---------------------------------------------------------------------------------------------
// Exhaustive visiting

/** One handler per member of the union `N`; a missing kind is a compile error. */
export type Handlers<N extends { kind: string }, R> = { [K in N['kind']]: (node: Extract<N, { kind: K }>) => R };

/** Calls the handler for `node.kind`. */
export function visit<N extends { kind: string }, R>(node: N, handlers: Handlers<N, R>): R {
  const handler = handlers[node.kind as N['kind']] as (node: N) => R;
  return handler(node);
}

export type ExpressionKind = Expression['kind'];
export type StatementKind = Statement['kind'];
export type TableRefKind = TableRef['kind'];
export type DataTypeKind = DataType['kind'];
