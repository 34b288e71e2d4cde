/**
 * Prints the syntax tree back to Flink SQL.
 *
 * Used to show generated SQL (the "Deduplicate topic" action) and to submit statements to a real
 * Flink cluster, so the output is canonical Flink: `CAST` instead of `::`, singular interval units,
 * `<>` instead of `!=`, clauses in documented order. Parentheses are inserted from operator
 * precedence rather than remembered, and identifiers are backticked when they were quoted or
 * would not parse bare — so `parse(print(ast))` equals `ast` (spans aside).
 */
import {
  visit,
  type AlterTableAction,
  type CallClause,
  type ColumnDefinition,
  type CreateTable,
  type DataType,
  type Expression,
  type GroupingElement,
  type Handlers,
  type Hint,
  type Identifier,
  type Insert,
  type MatchRecognize,
  type IntervalQualifier,
  type ObjectName,
  type OrderItem,
  type PatternQuantifier,
  type Property,
  type Query,
  type QueryBody,
  type RowPattern,
  type SchemaElement,
  type Select,
  type Statement,
  type TableAlias,
  type TableRef,
  type WindowFrameBound,
  type WindowSpec,
} from './ast.ts';
import { Power as ParserPower } from './parser/expressions.ts';
import { takesKeyValuePairs } from './parser/json.ts';
import { isReservedWord } from './parser/keywords.ts';

const PLAIN_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/**
 * Backticks when the name was quoted, is not a plain word, or is reserved in Flink. `allowReserved`
 * is for positions where reserved words are names without quotes (function names, `name =>`).
 */
export function printIdentifier(identifier: Identifier, allowReserved = false): string {
  const { value } = identifier;
  const needsQuotes = identifier.quoted || !PLAIN_IDENTIFIER.test(value) || (!allowReserved && isReservedWord(value.toUpperCase()));
  return needsQuotes ? `\`${value.replaceAll('`', '``')}\`` : value;
}

export function printObjectName(name: ObjectName): string {
  return name.parts.map((part) => printIdentifier(part)).join('.');
}

export function printString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

// ---------------------------------------------------------------------------------------------
// Types

export function printDataType(type: DataType): string {
  const base = visit<DataType, string>(type, {
    ScalarType: (t) => {
      if (t.precision === undefined) return t.name;
      return t.scale === undefined ? `${t.name}(${t.precision})` : `${t.name}(${t.precision}, ${t.scale})`;
    },
    IntervalType: (t) => `INTERVAL ${printIntervalQualifier(t.qualifier)}`,
    ArrayType: (t) => `ARRAY<${printDataType(t.element)}>`,
    MultisetType: (t) => `MULTISET<${printDataType(t.element)}>`,
    MapType: (t) => `MAP<${printDataType(t.key)}, ${printDataType(t.value)}>`,
    RowType: (t) =>
      `ROW<${t.fields
        .map((f) => `${printIdentifier(f.name)} ${printDataType(f.type)}${f.comment === undefined ? '' : ` COMMENT ${printString(f.comment)}`}`)
        .join(', ')}>`,
  });
  return type.notNull ? `${base} NOT NULL` : base;
}

export function printIntervalQualifier(qualifier: IntervalQualifier): string {
  const { start, startPrecision, end, fractionalPrecision } = qualifier;
  let text = start;
  if (startPrecision !== undefined) {
    text += end === undefined && fractionalPrecision !== undefined ? `(${startPrecision}, ${fractionalPrecision})` : `(${startPrecision})`;
  }
  if (end !== undefined) {
    text += ` TO ${end}`;
    if (fractionalPrecision !== undefined) text += `(${fractionalPrecision})`;
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// Expressions

/** Binding powers are the parser's, so parentheses go exactly where parsing needs them. */
const Power = { ...ParserPower, atom: 10 } as const;

function powerOf(expression: Expression): number {
  switch (expression.kind) {
    case 'Binary':
      switch (expression.operator) {
        case 'OR':
          return Power.or;
        case 'AND':
          return Power.and;
        case '+':
        case '-':
        case '||':
          return Power.additive;
        case '*':
        case '/':
        case '%':
          return Power.multiplicative;
        default:
          return Power.comparison;
      }
    case 'Unary':
      return expression.operator === 'NOT' ? Power.not : Power.unary;
    case 'Is':
    case 'IsDistinctFrom':
      return Power.comparison;
    case 'Between':
    case 'InList':
    case 'InSubquery':
    case 'Like':
      return Power.predicate;
    case 'Subscript':
    case 'FieldAccess':
      return Power.postfix;
    default:
      return Power.atom;
  }
}

/** Left operands may share the operator's power (left associativity)... */
function left(expression: Expression, power: number, indent: string): string {
  const text = printExpressionAt(expression, indent);
  return powerOf(expression) < power ? `(${text})` : text;
}

/** ...right operands, and operands the parser reads with `minPower = power`, must bind tighter. */
function right(expression: Expression, power: number, indent: string): string {
  const text = printExpressionAt(expression, indent);
  return powerOf(expression) <= power ? `(${text})` : text;
}

function list(expressions: Expression[], indent: string): string {
  return expressions.map((e) => printExpressionAt(e, indent)).join(', ');
}

export function printExpression(expression: Expression): string {
  return printExpressionAt(expression, '');
}

function printExpressionAt(expression: Expression, indent: string): string {
  const inner = indent + '  ';
  const subquery = (query: Query): string => `(\n${inner}${printQueryAt(query, inner)}\n${indent})`;
  return visit<Expression, string>(expression, {
    NumberLiteral: (e) => e.text,
    StringLiteral: (e) => printString(e.value),
    BinaryStringLiteral: (e) => `X'${e.hex}'`,
    BooleanLiteral: (e) => (e.value ? 'TRUE' : 'FALSE'),
    NullLiteral: () => 'NULL',
    TypedLiteral: (e) => `${e.type} ${printString(e.value)}`,
    IntervalLiteral: (e) => `INTERVAL ${e.negative ? '-' : ''}${printString(e.value)} ${printIntervalQualifier(e.qualifier)}`,
    ColumnRef: (e) => e.parts.map((part) => printIdentifier(part)).join('.'),
    Star: (e) => [...e.qualifier.map((part) => printIdentifier(part)), '*'].join('.'),
    Unary: (e) => {
      if (e.operator === 'NOT') return `NOT ${right(e.operand, Power.not, indent)}`;
      const operand = right(e.operand, Power.unary, indent);
      // `- -x` must not become `--x`, which is a comment.
      return operand.startsWith('-') || operand.startsWith('+') ? `${e.operator} ${operand}` : `${e.operator}${operand}`;
    },
    Binary: (e) => {
      const power = powerOf(e);
      return `${left(e.left, power, indent)} ${e.operator} ${right(e.right, power, indent)}`;
    },
    Is: (e) => `${left(e.operand, Power.comparison, indent)} IS ${e.negated ? 'NOT ' : ''}${e.test}`,
    IsDistinctFrom: (e) =>
      `${left(e.left, Power.comparison, indent)} IS ${e.negated ? 'NOT ' : ''}DISTINCT FROM ${right(e.right, Power.comparison, indent)}`,
    Between: (e) =>
      `${left(e.operand, Power.predicate, indent)} ${e.negated ? 'NOT ' : ''}BETWEEN ${e.symmetric ? 'SYMMETRIC ' : ''}` +
      `${right(e.low, Power.predicate, indent)} AND ${right(e.high, Power.predicate, indent)}`,
    InList: (e) => `${left(e.operand, Power.predicate, indent)} ${e.negated ? 'NOT ' : ''}IN (${list(e.list, indent)})`,
    InSubquery: (e) => `${left(e.operand, Power.predicate, indent)} ${e.negated ? 'NOT ' : ''}IN ${subquery(e.query)}`,
    Like: (e) =>
      `${left(e.operand, Power.predicate, indent)} ${e.negated ? 'NOT ' : ''}${e.operator} ${right(e.pattern, Power.predicate, indent)}` +
      (e.escape === undefined ? '' : ` ESCAPE ${right(e.escape, Power.predicate, indent)}`),
    Exists: (e) => `EXISTS ${subquery(e.query)}`,
    ScalarSubquery: (e) => subquery(e.query),
    FunctionCall: (e) => {
      const name = e.name.parts.map((part) => printIdentifier(part, true)).join('.');
      let args = list(e.args, indent);
      const [operand, unit] = e.args;
      if (e.args.length === 2 && unit?.kind === 'TimeUnitArgument' && ['FLOOR', 'CEIL', 'CEILING'].includes(name.toUpperCase())) {
        args = `${printExpressionAt(operand!, indent)} TO ${unit.unit}`;
      }
      if (takesKeyValuePairs(e.name.parts.at(-1)!.value)) {
        const pairs: string[] = [];
        for (let i = 0; i + 1 < e.args.length; i += 2) {
          pairs.push(`KEY ${printExpressionAt(e.args[i]!, indent)} VALUE ${printExpressionAt(e.args[i + 1]!, indent)}`);
        }
        args = pairs.join(', ');
      }
      const tail: string[] = [];
      if (e.returning !== undefined) tail.push(`RETURNING ${printDataType(e.returning)}`);
      for (const clause of e.clauses) tail.push(printCallClause(clause, indent));
      const inner = [args, ...tail].filter((part) => part !== '').join(' ');
      let text = `${name}(${e.distinct ? 'DISTINCT ' : ''}${inner})`;
      if (e.filter !== undefined) text += ` FILTER (WHERE ${printExpressionAt(e.filter, indent)})`;
      if (e.over !== undefined) text += ` OVER ${e.over.kind === 'Identifier' ? printIdentifier(e.over) : printWindowSpec(e.over, indent)}`;
      return text;
    },
    NiladicCall: (e) => e.name,
    NamedArgument: (e) => `${printIdentifier(e.name, true)} => ${printExpressionAt(e.value, indent)}`,
    TableArgument: (e) => {
      let text = `TABLE ${printObjectName(e.table)}`;
      // Several keys need parentheses here, or the commas would separate function arguments.
      if (e.partitionBy.length === 1) text += ` PARTITION BY ${list(e.partitionBy, indent)}`;
      if (e.partitionBy.length > 1) text += ` PARTITION BY (${list(e.partitionBy, indent)})`;
      if (e.orderBy.length === 1) text += ` ORDER BY ${printOrderItems(e.orderBy, indent)}`;
      if (e.orderBy.length > 1) text += ` ORDER BY (${printOrderItems(e.orderBy, indent)})`;
      return text;
    },
    Descriptor: (e) => `DESCRIPTOR(${e.columns.map((c) => printIdentifier(c)).join(', ')})`,
    TimeUnitArgument: (e) => e.unit,
    Cast: (e) => `${e.safe ? 'TRY_CAST' : 'CAST'}(${printExpressionAt(e.operand, indent)} AS ${printDataType(e.type)})`,
    Case: (e) => {
      const parts = ['CASE'];
      if (e.operand !== undefined) parts.push(printExpressionAt(e.operand, indent));
      for (const when of e.whens) {
        parts.push(`WHEN ${printExpressionAt(when.condition, indent)} THEN ${printExpressionAt(when.result, indent)}`);
      }
      if (e.otherwise !== undefined) parts.push(`ELSE ${printExpressionAt(e.otherwise, indent)}`);
      parts.push('END');
      return parts.join(' ');
    },
    Extract: (e) => `EXTRACT(${e.unit} FROM ${printExpressionAt(e.source, indent)})`,
    Position: (e) => `POSITION(${right(e.needle, Power.predicate, indent)} IN ${printExpressionAt(e.haystack, indent)})`,
    Trim: (e) => {
      const side = e.side === undefined ? '' : `${e.side} `;
      const characters = e.characters === undefined ? '' : `${printExpressionAt(e.characters, indent)} `;
      const from = side !== '' || characters !== '' ? 'FROM ' : '';
      return `TRIM(${side}${characters}${from}${printExpressionAt(e.source, indent)})`;
    },
    Substring: (e) =>
      `SUBSTRING(${printExpressionAt(e.source, indent)} FROM ${printExpressionAt(e.from, indent)}` +
      (e.length === undefined ? ')' : ` FOR ${printExpressionAt(e.length, indent)})`),
    Overlay: (e) =>
      `OVERLAY(${printExpressionAt(e.source, indent)} PLACING ${printExpressionAt(e.replacement, indent)} FROM ${printExpressionAt(e.from, indent)}` +
      (e.length === undefined ? ')' : ` FOR ${printExpressionAt(e.length, indent)})`),
    ArrayConstructor: (e) => `ARRAY[${list(e.elements, indent)}]`,
    MapConstructor: (e) =>
      `MAP[${e.entries.map((entry) => `${printExpressionAt(entry.key, indent)}, ${printExpressionAt(entry.value, indent)}`).join(', ')}]`,
    RowConstructor: (e) => `ROW(${list(e.fields, indent)})`,
    Subscript: (e) => `${left(e.target, Power.postfix, indent)}[${printExpressionAt(e.index, indent)}]`,
    FieldAccess: (e) => {
      // A ColumnRef target would merge with the field into one longer path when parsed back.
      const target = e.target.kind === 'ColumnRef' ? `(${printExpressionAt(e.target, indent)})` : left(e.target, Power.postfix, indent);
      return `${target}.${printIdentifier(e.field)}`;
    },
    Parameter: () => '?',
  });
}

function printCallClause(clause: CallClause, indent: string): string {
  if (clause.kind === 'JsonWrapperClause') return `${clause.wrapper} ARRAY WRAPPER`;
  const behavior = clause.defaultValue === undefined ? clause.behavior : `DEFAULT ${printExpressionAt(clause.defaultValue, indent)}`;
  return `${behavior} ON ${clause.on}`;
}

function printOrderItems(items: OrderItem[], indent: string): string {
  return items
    .map((item) => {
      let text = printExpressionAt(item.expression, indent);
      if (item.direction !== undefined) text += ` ${item.direction}`;
      if (item.nulls !== undefined) text += ` NULLS ${item.nulls}`;
      return text;
    })
    .join(', ');
}

function printFrameBound(bound: WindowFrameBound, indent: string): string {
  return bound.offset === undefined ? bound.bound : `${printExpressionAt(bound.offset, indent)} ${bound.bound}`;
}

function printWindowSpec(spec: WindowSpec, indent: string): string {
  const parts: string[] = [];
  if (spec.baseWindow !== undefined) parts.push(printIdentifier(spec.baseWindow));
  if (spec.partitionBy.length > 0) parts.push(`PARTITION BY ${list(spec.partitionBy, indent)}`);
  if (spec.orderBy.length > 0) parts.push(`ORDER BY ${printOrderItems(spec.orderBy, indent)}`);
  if (spec.frame !== undefined) {
    const { units, start, end } = spec.frame;
    parts.push(
      end === undefined
        ? `${units} ${printFrameBound(start, indent)}`
        : `${units} BETWEEN ${printFrameBound(start, indent)} AND ${printFrameBound(end, indent)}`,
    );
  }
  return `(${parts.join(' ')})`;
}

// ---------------------------------------------------------------------------------------------
// Queries

export function printQuery(query: Query): string {
  return printQueryAt(query, '');
}

/** Multi-line output: clauses start lines at `indent`, nested queries indent by two more spaces. */
function printQueryAt(query: Query, indent: string): string {
  const lines: string[] = [];
  if (query.with.length > 0) {
    const inner = indent + '  ';
    const ctes = query.with.map((cte) => {
      const columns = cte.columns.length > 0 ? ` (${cte.columns.map((c) => printIdentifier(c)).join(', ')})` : '';
      return `${printIdentifier(cte.name)}${columns} AS (\n${inner}${printQueryAt(cte.query, inner)}\n${indent})`;
    });
    lines.push(`WITH ${ctes.join(', ')}`);
  }
  lines.push(printBody(query.body, indent));
  if (query.orderBy.length > 0) lines.push(`ORDER BY ${printOrderItems(query.orderBy, indent)}`);
  if (query.limit !== undefined) lines.push(`LIMIT ${printExpressionAt(query.limit, indent)}`);
  if (query.offset !== undefined) lines.push(`OFFSET ${printExpressionAt(query.offset, indent)}`);
  return lines.join(`\n${indent}`);
}

function setOperatorPower(body: QueryBody): number {
  if (body.kind !== 'SetOperation') return 3;
  return body.operator === 'INTERSECT' ? 2 : 1;
}

function printBody(body: QueryBody, indent: string): string {
  const inner = indent + '  ';
  const parenthesized = (b: QueryBody): string => `(\n${inner}${printBody(b, inner)}\n${indent})`;
  switch (body.kind) {
    case 'Select':
      return printSelect(body, indent);
    case 'Values':
      return `VALUES ${body.rows.map((row) => `(${list(row, indent)})`).join(', ')}`;
    case 'Query':
      return `(\n${inner}${printQueryAt(body, inner)}\n${indent})`;
    case 'SetOperation': {
      const power = setOperatorPower(body);
      const leftText = setOperatorPower(body.left) < power ? parenthesized(body.left) : printBody(body.left, indent);
      const rightText = body.right.kind === 'SetOperation' ? parenthesized(body.right) : printBody(body.right, indent);
      return `${leftText}\n${indent}${body.operator}${body.all ? ' ALL' : ''}\n${indent}${rightText}`;
    }
  }
}

function printHints(hints: Hint[]): string {
  if (hints.length === 0) return '';
  const printed = hints.map((hint) => {
    const args =
      hint.options.length > 0
        ? hint.options.map(printProperty).join(', ')
        : hint.items.map((item) => (PLAIN_IDENTIFIER.test(item) ? item : printString(item))).join(', ');
    return `${printIdentifier(hint.name, true)}(${args})`;
  });
  return ` /*+ ${printed.join(', ')} */`;
}

function printSelect(select: Select, indent: string): string {
  const lines: string[] = [];
  const quantifier = select.quantifier === undefined ? '' : ` ${select.quantifier}`;
  const items = select.items.map((item) => {
    const text = printExpressionAt(item.expression, indent);
    return item.alias === undefined ? text : `${text} AS ${printIdentifier(item.alias)}`;
  });
  lines.push(`SELECT${printHints(select.hints)}${quantifier} ${items.join(', ')}`);
  if (select.from !== undefined) lines.push(`FROM ${printTableRef(select.from, indent)}`);
  if (select.where !== undefined) lines.push(`WHERE ${printExpressionAt(select.where, indent)}`);
  if (select.groupBy.length > 0) lines.push(`GROUP BY ${select.groupBy.map((g) => printGroupingElement(g, indent)).join(', ')}`);
  if (select.having !== undefined) lines.push(`HAVING ${printExpressionAt(select.having, indent)}`);
  if (select.windows.length > 0) {
    lines.push(`WINDOW ${select.windows.map((w) => `${printIdentifier(w.name)} AS ${printWindowSpec(w.spec, indent)}`).join(', ')}`);
  }
  return lines.join(`\n${indent}`);
}

function printGroupingElement(element: GroupingElement, indent: string): string {
  switch (element.kind) {
    case 'GroupingSets':
      return `GROUPING SETS (${element.sets.map((set) => `(${set.map((e) => printGroupingElement(e, indent)).join(', ')})`).join(', ')})`;
    case 'Rollup':
      return `ROLLUP(${list(element.expressions, indent)})`;
    case 'Cube':
      return `CUBE(${list(element.expressions, indent)})`;
    default:
      return printExpressionAt(element, indent);
  }
}

function printAlias(alias: TableAlias | undefined): string {
  if (alias === undefined) return '';
  const columns = alias.columns.length > 0 ? `(${alias.columns.map((c) => printIdentifier(c)).join(', ')})` : '';
  return ` AS ${printIdentifier(alias.name)}${columns}`;
}

const JOIN_KEYWORDS = { INNER: 'JOIN', LEFT: 'LEFT JOIN', RIGHT: 'RIGHT JOIN', FULL: 'FULL JOIN', CROSS: 'CROSS JOIN', COMMA: ',' } as const;

function printTableRef(ref: TableRef, indent: string): string {
  const inner = indent + '  ';
  return visit<TableRef, string>(ref, {
    TableName: (t) => {
      let text = printObjectName(t.name) + printHints(t.hints);
      if (t.systemTime !== undefined) text += ` FOR SYSTEM_TIME AS OF ${printExpressionAt(t.systemTime, indent)}`;
      return text + printAlias(t.alias);
    },
    Join: (j) => {
      // Joins nest to the left when parsed, and a comma binds looser than JOIN: `a, b JOIN c` is
      // `a, (b JOIN c)`. Any other nesting needs parentheses.
      const wrap = (side: TableRef, isRight: boolean): string => {
        const text = printTableRef(side, indent);
        if (side.kind !== 'Join') return text;
        const sideIsComma = side.joinType === 'COMMA';
        const joinIsComma = j.joinType === 'COMMA';
        const needsParens = isRight ? !joinIsComma || sideIsComma : sideIsComma && !joinIsComma;
        return needsParens ? `(${text})` : text;
      };
      const leftText = wrap(j.left, false);
      const rightText = wrap(j.right, true);
      if (j.joinType === 'COMMA') return `${leftText}, ${rightText}`;
      let text = `${leftText}\n${indent}${JOIN_KEYWORDS[j.joinType]} ${rightText}`;
      if (j.criteria?.kind === 'JoinOn') text += ` ON ${printExpressionAt(j.criteria.condition, indent)}`;
      if (j.criteria?.kind === 'JoinUsing') text += ` USING (${j.criteria.columns.map((c) => printIdentifier(c)).join(', ')})`;
      return text;
    },
    DerivedTable: (d) => `${d.lateral ? 'LATERAL ' : ''}(\n${inner}${printQueryAt(d.query, inner)}\n${indent})${printAlias(d.alias)}`,
    TableFunction: (f) => `${f.lateral ? 'LATERAL ' : ''}TABLE(${printExpressionAt(f.call, indent)})${printAlias(f.alias)}`,
    Unnest: (u) => `UNNEST(${list(u.arguments, indent)})${u.withOrdinality ? ' WITH ORDINALITY' : ''}${printAlias(u.alias)}`,
    ParenthesizedTableRef: (p) => `(${printTableRef(p.inner, indent)})`,
    MatchRecognize: (m) => printMatchRecognize(m, indent),
  });
}

function printMatchRecognize(match: MatchRecognize, indent: string): string {
  const inner = indent + '  ';
  const clauses: string[] = [];
  if (match.partitionBy.length > 0) clauses.push(`PARTITION BY ${list(match.partitionBy, inner)}`);
  if (match.orderBy.length > 0) clauses.push(`ORDER BY ${printOrderItems(match.orderBy, inner)}`);
  if (match.measures.length > 0) {
    const measures = match.measures.map((m) => `${printExpressionAt(m.expression, inner)} AS ${printIdentifier(m.alias!)}`);
    clauses.push(`MEASURES\n${inner}  ${measures.join(`,\n${inner}  `)}`);
  }
  if (match.rowsPerMatch !== undefined) clauses.push(match.rowsPerMatch);
  const skip = match.afterMatch;
  if (skip !== undefined) {
    let target: string = skip.to;
    if (skip.variable !== undefined) {
      target = skip.to === 'VARIABLE' ? printIdentifier(skip.variable) : `${skip.to} ${printIdentifier(skip.variable)}`;
    }
    clauses.push(`AFTER MATCH SKIP ${skip.to === 'PAST LAST ROW' ? '' : 'TO '}${target}`);
  }
  clauses.push(`PATTERN (${printPattern(match.pattern)})`);
  if (match.within !== undefined) clauses.push(`WITHIN ${printExpressionAt(match.within, inner)}`);
  const definitions = match.define.map((d) => `${printIdentifier(d.variable)} AS ${printExpressionAt(d.condition, inner)}`);
  clauses.push(`DEFINE\n${inner}  ${definitions.join(`,\n${inner}  `)}`);
  const input = printTableRef(match.input, indent);
  return `${input}\n${indent}MATCH_RECOGNIZE (\n${inner}${clauses.join(`\n${inner}`)}\n${indent})${printAlias(match.alias)}`;
}

function printQuantifier(quantifier: PatternQuantifier | undefined): string {
  if (quantifier === undefined) return '';
  const { min, max } = quantifier;
  let text: string;
  if (min === 0 && max === undefined) text = '*';
  else if (min === 1 && max === undefined) text = '+';
  else if (min === 0 && max === 1) text = '?';
  else if (min === max) text = `{${min}}`;
  else text = `{${min},${max ?? ''}}`;
  return quantifier.reluctant ? `${text}?` : text;
}

function printPattern(pattern: RowPattern): string {
  return visit<RowPattern, string>(pattern, {
    PatternVariable: (p) => printIdentifier(p.name) + printQuantifier(p.quantifier),
    PatternGroup: (p) => `(${printPattern(p.pattern)})${printQuantifier(p.quantifier)}`,
    PatternSequence: (p) => p.items.map(printPattern).join(' '),
    PatternAlternation: (p) => p.alternatives.map(printPattern).join(' | '),
  });
}

// ---------------------------------------------------------------------------------------------
// Statements

function printProperty(property: Property): string {
  return `${printString(property.key)} = ${printString(property.value)}`;
}

function printColumn(column: ColumnDefinition): string {
  const comment = column.comment === undefined ? '' : ` COMMENT ${printString(column.comment)}`;
  switch (column.kind) {
    case 'PhysicalColumn':
      return `${printIdentifier(column.name)} ${printDataType(column.type)}${comment}`;
    case 'ComputedColumn':
      return `${printIdentifier(column.name)} AS ${printExpression(column.expression)}${comment}`;
    case 'MetadataColumn': {
      const from = column.metadataKey === undefined ? '' : ` FROM ${printString(column.metadataKey)}`;
      return `${printIdentifier(column.name)} ${printDataType(column.type)} METADATA${from}${column.virtual ? ' VIRTUAL' : ''}${comment}`;
    }
  }
}

function printSchemaElement(element: SchemaElement): string {
  switch (element.kind) {
    case 'PrimaryKey': {
      const name = element.constraintName === undefined ? '' : `CONSTRAINT ${printIdentifier(element.constraintName)} `;
      return `${name}PRIMARY KEY (${element.columns.map((c) => printIdentifier(c)).join(', ')}) NOT ENFORCED`;
    }
    case 'Watermark':
      return `WATERMARK FOR ${printExpression(element.column)} AS ${printExpression(element.expression)}`;
    default:
      return printColumn(element);
  }
}

function printCreateTable(table: CreateTable): string {
  const modifiers = `${table.orReplace ? 'OR REPLACE ' : ''}${table.temporary ? 'TEMPORARY ' : ''}`;
  const head = `CREATE ${modifiers}TABLE ${table.ifNotExists ? 'IF NOT EXISTS ' : ''}${printObjectName(table.name)}`;
  const elements: SchemaElement[] = [...table.columns];
  if (table.primaryKey !== undefined) elements.push(table.primaryKey);
  if (table.watermark !== undefined) elements.push(table.watermark);
  const lines = [elements.length > 0 ? `${head} (\n${elements.map((e) => `  ${printSchemaElement(e)}`).join(',\n')}\n)` : head];
  if (table.comment !== undefined) lines.push(`COMMENT ${printString(table.comment)}`);
  const distribution = table.distribution;
  if (distribution !== undefined) {
    let text = 'DISTRIBUTED';
    if (distribution.columns.length > 0) {
      text += ` BY ${distribution.algorithm ?? ''}(${distribution.columns.map((c) => printIdentifier(c)).join(', ')})`;
    }
    if (distribution.buckets !== undefined) text += ` INTO ${distribution.buckets} BUCKETS`;
    lines.push(text);
  }
  if (table.partitionedBy.length > 0) lines.push(`PARTITIONED BY (${table.partitionedBy.map((c) => printIdentifier(c)).join(', ')})`);
  if (table.options.length > 0) lines.push(`WITH (\n${table.options.map((o) => `  ${printProperty(o)}`).join(',\n')}\n)`);
  if (table.like !== undefined) {
    const options = table.like.options.length > 0 ? ` (${table.like.options.join(' ')})` : '';
    lines.push(`LIKE ${printObjectName(table.like.name)}${options}`);
  }
  if (table.asQuery !== undefined) lines.push(`AS\n${printQuery(table.asQuery)}`);
  return lines.join('\n');
}

function printAlterAction(action: AlterTableAction): string {
  return visit<AlterTableAction, string>(action, {
    AlterTableSetOptions: (a) => `SET (${a.options.map(printProperty).join(', ')})`,
    AlterTableResetOptions: (a) => `RESET (${a.keys.map(printString).join(', ')})`,
    AlterTableAddOrModify: (a) => {
      const elements = a.elements.map((element, i) => {
        const position = a.positions[i];
        if (position === undefined) return printSchemaElement(element);
        const placement = position.reference === undefined ? position.placement : `AFTER ${printIdentifier(position.reference)}`;
        return `${printSchemaElement(element)} ${placement}`;
      });
      return a.parenthesized || elements.length > 1 ? `${a.operation} (${elements.join(', ')})` : `${a.operation} ${elements[0]}`;
    },
    AlterTableDropColumns: (a) =>
      a.columns.length === 1 ? `DROP ${printIdentifier(a.columns[0]!)}` : `DROP (${a.columns.map((c) => printIdentifier(c)).join(', ')})`,
    AlterTableDropConstraint: (a) => (typeof a.target === 'string' ? `DROP ${a.target}` : `DROP CONSTRAINT ${printIdentifier(a.target)}`),
    AlterTableRenameColumn: (a) => `RENAME ${printIdentifier(a.from)} TO ${printIdentifier(a.to)}`,
    AlterTableRename: (a) => `RENAME TO ${printObjectName(a.to)}`,
  });
}

function printInsert(insert: Insert): string {
  let head = `INSERT ${insert.overwrite ? 'OVERWRITE' : 'INTO'} ${printObjectName(insert.table)}${printHints(insert.hints)}`;
  if (insert.partition.length > 0) {
    head += ` PARTITION (${insert.partition.map((p) => `${printIdentifier(p.column)} = ${printExpression(p.value)}`).join(', ')})`;
  }
  if (insert.columns.length > 0) head += ` (${insert.columns.map((c) => printIdentifier(c)).join(', ')})`;
  return `${head}\n${printQuery(insert.source)}`;
}

export function printStatement(statement: Statement): string {
  const handlers: Handlers<Statement, string> = {
    Query: (q) => printQuery(q),
    CreateTable: printCreateTable,
    CreateView: (v) => {
      const columns = v.columns.length > 0 ? ` (${v.columns.map((c) => printIdentifier(c)).join(', ')})` : '';
      const comment = v.comment === undefined ? '' : ` COMMENT ${printString(v.comment)}`;
      const head = `CREATE ${v.temporary ? 'TEMPORARY ' : ''}VIEW ${v.ifNotExists ? 'IF NOT EXISTS ' : ''}${printObjectName(v.name)}`;
      return `${head}${columns}${comment} AS\n${printQuery(v.query)}`;
    },
    CreateFunction: (f) => {
      const temporary = f.temporary ? (f.system ? 'TEMPORARY SYSTEM ' : 'TEMPORARY ') : '';
      const language = f.language === undefined ? '' : ` LANGUAGE ${f.language}`;
      return `CREATE ${temporary}FUNCTION ${f.ifNotExists ? 'IF NOT EXISTS ' : ''}${printObjectName(f.name)} AS ${printString(f.className)}${language}`;
    },
    AlterTable: (a) => `ALTER TABLE ${a.ifExists ? 'IF EXISTS ' : ''}${printObjectName(a.name)} ${printAlterAction(a.action)}`,
    Drop: (d) => `DROP ${d.temporary ? 'TEMPORARY ' : ''}${d.objectType} ${d.ifExists ? 'IF EXISTS ' : ''}${printObjectName(d.name)}`,
    Insert: printInsert,
    StatementSet: (s) => `${s.execute ? 'EXECUTE ' : ''}STATEMENT SET\nBEGIN\n${s.inserts.map((i) => `${printInsert(i)};\n`).join('')}END`,
    SetOption: (s) => (s.key === undefined ? 'SET' : `SET ${printString(s.key)} = ${printString(s.value ?? '')}`),
    ResetOption: (r) => (r.key === undefined ? 'RESET' : `RESET ${printString(r.key)}`),
    Show: (s) => {
      let text = `SHOW ${s.object}`;
      if (s.from !== undefined) text += ` FROM ${printObjectName(s.from)}`;
      if (s.like !== undefined) text += ` ${s.like.negated ? 'NOT ' : ''}${s.like.ilike ? 'ILIKE' : 'LIKE'} ${printString(s.like.pattern)}`;
      return text;
    },
    ShowCreate: (s) => `SHOW CREATE ${s.objectType} ${printObjectName(s.name)}`,
    Describe: (d) => `DESCRIBE ${d.extended ? 'EXTENDED ' : ''}${printObjectName(d.name)}`,
    Explain: (e) => {
      const modifiers = e.planFor ? 'PLAN FOR ' : e.details.length > 0 ? `${e.details.join(', ')} ` : '';
      return `EXPLAIN ${modifiers}${printStatement(e.statement)}`;
    },
    Use: (u) => `USE ${u.catalog ? 'CATALOG ' : ''}${printObjectName(u.name)}`,
  };
  return visit(statement, handlers);
}

/** A script: each statement terminated by a semicolon, separated by a blank line. */
export function printStatements(statements: Statement[]): string {
  return statements.map((s) => `${printStatement(s)};`).join('\n\n');
}
