/**
 * Which words are reserved, and suggestions for misspelled keywords.
 *
 * Two tiers:
 * - GRAMMAR_KEYWORDS can never be names or function names here: they start clauses, join tables or
 *   build operators, so reading them as names would make the grammar ambiguous.
 * - FLINK_RESERVED_WORDS are the words Flink's parser (Calcite's reserved list; Flink's own
 *   keywords such as WATERMARK or KEY are non-reserved there) refuses as unquoted names. They stay
 *   usable as function names (`COUNT(*)`, `HOUR(ts)`), but a column called `value` or `day` must
 *   be backticked — exactly as on a real Flink cluster, so SQL accepted here runs there and the
 *   printer knows which names to quote. Nexmark's unquoted `key`, `final` and `name` are fine.
 */

export const GRAMMAR_KEYWORDS: ReadonlySet<string> = new Set([
  'ALL', 'ALTER', 'AND', 'ANY', 'ARRAY', 'AS', 'BETWEEN', 'BOTH', 'BY', 'CASE', 'CAST', 'CREATE', 'CROSS',
  'CURRENT_DATE', 'CURRENT_TIME', 'CURRENT_TIMESTAMP', 'DELETE', 'DESCRIBE', 'DISTINCT', 'DROP', 'ELSE',
  'END', 'ESCAPE', 'EXCEPT', 'EXISTS', 'FALSE', 'FETCH', 'FILTER', 'FOR', 'FROM', 'FULL', 'GROUP', 'HAVING',
  'IN', 'INNER', 'INSERT', 'INTERSECT', 'INTERVAL', 'INTO', 'IS', 'JOIN', 'LATERAL', 'LEFT', 'LIKE', 'LIMIT',
  'LOCALTIME', 'LOCALTIMESTAMP', 'MAP', 'MATCH_RECOGNIZE', 'MINUS', 'MULTISET', 'NATURAL', 'NOT', 'NULL',
  'OFFSET', 'ON', 'OR', 'ORDER', 'OUTER', 'OVER', 'RIGHT', 'ROW', 'SELECT', 'SET', 'SIMILAR', 'SOME',
  'TABLE', 'THEN', 'TRUE', 'UNION', 'UNKNOWN', 'UNNEST', 'UPDATE', 'USING', 'VALUES', 'WHEN', 'WHERE',
  'WINDOW', 'WITH',
]);

/** Calcite's reserved words (the "c" column of its SqlParserTest), which Flink keeps reserved. */
const FLINK_RESERVED_WORDS: ReadonlySet<string> = new Set([
  'ABS', 'ALL', 'ALLOCATE', 'ALLOW', 'ALTER', 'AND', 'ANY', 'ARE', 'ARRAY', 'ARRAY_MAX_CARDINALITY', 'AS', 'ASENSITIVE', 'ASYMMETRIC', 'AT', 'ATOMIC',
  'AUTHORIZATION', 'AVG', 'BEGIN', 'BEGIN_FRAME', 'BEGIN_PARTITION', 'BETWEEN', 'BIGINT', 'BINARY', 'BIT', 'BLOB', 'BOOLEAN', 'BOTH', 'BY', 'CALL', 'CALLED',
  'CARDINALITY', 'CASCADED', 'CASE', 'CAST', 'CEIL', 'CEILING', 'CHAR', 'CHARACTER', 'CHARACTER_LENGTH', 'CHAR_LENGTH', 'CHECK', 'CLASSIFIER', 'CLOB',
  'CLOSE', 'COALESCE', 'COLLATE', 'COLLECT', 'COLUMN', 'COMMIT', 'CONDITION', 'CONNECT', 'CONSTRAINT', 'CONTAINS', 'CONVERT', 'CORR', 'CORRESPONDING',
  'COUNT', 'COVAR_POP', 'COVAR_SAMP', 'CREATE', 'CROSS', 'CUBE', 'CUME_DIST', 'CURRENT', 'CURRENT_CATALOG', 'CURRENT_DATE',
  'CURRENT_DEFAULT_TRANSFORM_GROUP', 'CURRENT_PATH', 'CURRENT_ROLE', 'CURRENT_ROW', 'CURRENT_SCHEMA', 'CURRENT_TIME',
  'CURRENT_TIMESTAMP', 'CURRENT_TRANSFORM_GROUP_FOR_TYPE', 'CURRENT_USER', 'CURSOR', 'CYCLE', 'DATE', 'DAY', 'DEALLOCATE', 'DEC', 'DECIMAL',
  'DECLARE', 'DEFAULT', 'DEFINE', 'DELETE', 'DENSE_RANK', 'DEREF', 'DESCRIBE', 'DETERMINISTIC', 'DISALLOW', 'DISCONNECT', 'DISTINCT', 'DOUBLE', 'DROP',
  'DYNAMIC', 'EACH', 'ELEMENT', 'ELSE', 'EMPTY', 'END', 'END_FRAME', 'END_PARTITION', 'EQUALS', 'ESCAPE', 'EVERY', 'EXCEPT', 'EXEC', 'EXECUTE', 'EXISTS', 'EXP',
  'EXPLAIN', 'EXTEND', 'EXTERNAL', 'EXTRACT', 'FALSE', 'FETCH', 'FILTER', 'FIRST_VALUE', 'FLOAT', 'FLOOR', 'FOR', 'FOREIGN', 'FRAME_ROW', 'FREE', 'FROM', 'FULL',
  'FUNCTION', 'FUSION', 'GET', 'GLOBAL', 'GRANT', 'GROUP', 'GROUPING', 'GROUPS', 'HAVING', 'HOLD', 'HOUR', 'IDENTITY', 'IMPORT', 'IN', 'INDICATOR', 'INITIAL',
  'INNER', 'INOUT', 'INSENSITIVE', 'INSERT', 'INT', 'INTEGER', 'INTERSECT', 'INTERSECTION', 'INTERVAL', 'INTO', 'IS', 'JOIN', 'JSON_ARRAY', 'JSON_ARRAYAGG',
  'JSON_EXISTS', 'JSON_OBJECT', 'JSON_OBJECTAGG', 'JSON_QUERY', 'JSON_VALUE', 'LAG', 'LANGUAGE', 'LARGE', 'LAST_VALUE', 'LATERAL', 'LEAD', 'LEADING',
  'LEFT', 'LIKE', 'LIKE_REGEX', 'LIMIT', 'LN', 'LOCAL', 'LOCALTIME', 'LOCALTIMESTAMP', 'LOWER', 'MATCH', 'MATCHES', 'MATCH_NUMBER', 'MATCH_RECOGNIZE',
  'MAX', 'MEASURES', 'MEMBER', 'MERGE', 'METHOD', 'MIN', 'MINUS', 'MINUTE', 'MOD', 'MODIFIES', 'MODULE', 'MONTH', 'MULTISET', 'NATIONAL', 'NATURAL', 'NCHAR',
  'NCLOB', 'NEW', 'NEXT', 'NO', 'NONE', 'NORMALIZE', 'NOT', 'NTH_VALUE', 'NTILE', 'NULL', 'NULLIF', 'NUMERIC', 'OCCURRENCES_REGEX', 'OCTET_LENGTH', 'OF',
  'OFFSET', 'OLD', 'OMIT', 'ON', 'ONE', 'ONLY', 'OPEN', 'OR', 'ORDER', 'OUT', 'OUTER', 'OVER', 'OVERLAPS', 'OVERLAY', 'PARAMETER', 'PARTITION', 'PATTERN', 'PER',
  'PERCENT', 'PERCENTILE_CONT', 'PERCENTILE_DISC', 'PERCENT_RANK', 'PERIOD', 'PERMUTE', 'PORTION', 'POSITION', 'POSITION_REGEX', 'POWER',
  'PRECEDES', 'PRECISION', 'PREPARE', 'PREV', 'PRIMARY', 'PROCEDURE', 'RANGE', 'RANK', 'READS', 'REAL', 'RECURSIVE', 'REF', 'REFERENCES', 'REFERENCING',
  'REGR_AVGX', 'REGR_AVGY', 'REGR_COUNT', 'REGR_INTERCEPT', 'REGR_R2', 'REGR_SLOPE', 'REGR_SXX', 'REGR_SXY', 'REGR_SYY', 'RELEASE', 'RESET',
  'RESULT', 'RETURN', 'RETURNS', 'REVOKE', 'RIGHT', 'ROLLBACK', 'ROLLUP', 'ROW', 'ROWS', 'ROW_NUMBER', 'RUNNING', 'SAVEPOINT', 'SCOPE', 'SCROLL', 'SEARCH',
  'SECOND', 'SEEK', 'SELECT', 'SENSITIVE', 'SESSION_USER', 'SET', 'SHOW', 'SIMILAR', 'SKIP', 'SMALLINT', 'SOME', 'SPECIFIC', 'SPECIFICTYPE', 'SQL',
  'SQLEXCEPTION', 'SQLSTATE', 'SQLWARNING', 'SQRT', 'START', 'STATIC', 'STDDEV_POP', 'STDDEV_SAMP', 'STREAM', 'SUBMULTISET', 'SUBSET', 'SUBSTRING',
  'SUBSTRING_REGEX', 'SUCCEEDS', 'SUM', 'SYMMETRIC', 'SYSTEM', 'SYSTEM_TIME', 'SYSTEM_USER', 'TABLE', 'TABLESAMPLE', 'THEN', 'TIME', 'TIMESTAMP',
  'TIMEZONE_HOUR', 'TIMEZONE_MINUTE', 'TINYINT', 'TO', 'TRAILING', 'TRANSLATE', 'TRANSLATE_REGEX', 'TRANSLATION', 'TREAT', 'TRIGGER', 'TRIM',
  'TRIM_ARRAY', 'TRUE', 'TRUNCATE', 'UESCAPE', 'UNION', 'UNIQUE', 'UNKNOWN', 'UNNEST', 'UPDATE', 'UPPER', 'UPSERT', 'USER', 'USING', 'VALUE', 'VALUES',
  'VALUE_OF', 'VARBINARY', 'VARCHAR', 'VARYING', 'VAR_POP', 'VAR_SAMP', 'VERSIONING', 'WHEN', 'WHENEVER', 'WHERE', 'WIDTH_BUCKET', 'WINDOW', 'WITH',
  'WITHIN', 'WITHOUT', 'YEAR',
  // Flink's own reserved keywords (not in its non-reserved list)
  'RAW', 'STRING', 'BYTES', 'TIMESTAMP_LTZ', 'DATABASES', 'TABLES', 'VIEWS', 'FUNCTIONS', 'CATALOGS', 'MODULES',
]);

/** Not usable as an unquoted name (column, table, alias). */
export function isReservedWord(upper: string): boolean {
  return GRAMMAR_KEYWORDS.has(upper) || FLINK_RESERVED_WORDS.has(upper);
}

/** Not usable even as a function name: structural keywords (LEFT and RIGHT excepted by the caller). */
export function isGrammarKeyword(upper: string): boolean {
  return GRAMMAR_KEYWORDS.has(upper);
}

/** Words that can start a statement; used to suggest a fix for a misspelled first word. */
export const STATEMENT_KEYWORDS = [
  'SELECT', 'WITH', 'VALUES', 'INSERT', 'CREATE', 'ALTER', 'DROP', 'SET', 'RESET', 'SHOW', 'DESCRIBE',
  'DESC', 'EXPLAIN', 'USE', 'EXECUTE', 'STATEMENT',
];

/** Keywords worth suggesting when a word is slightly off (clause starters and common operators). */
export const SUGGESTABLE_KEYWORDS = [
  ...STATEMENT_KEYWORDS, 'FROM', 'WHERE', 'GROUP', 'HAVING', 'ORDER', 'LIMIT', 'JOIN', 'INNER', 'LEFT',
  'RIGHT', 'FULL', 'CROSS', 'UNION', 'BETWEEN', 'TABLE', 'INTO', 'PRIMARY', 'WATERMARK', 'DISTRIBUTED',
  'PARTITIONED', 'ENFORCED', 'INTERVAL', 'SYSTEM_TIME', 'DISTINCT', 'MODIFY', 'COMMENT', 'METADATA',
];

/**
 * Edit distance where swapping two neighbours counts as one edit (FORM → FROM), capped: we only
 * care whether two words are within 2 edits.
 */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      row.push(best);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

/** The keyword `word` is most likely a misspelling of, if any (at most 1 edit, or 2 for long words). */
export function suggestKeyword(word: string, candidates: readonly string[]): string | undefined {
  const upper = word.toUpperCase();
  // Short words (aliases like `o`, `oi`) are too close to everything to suggest anything useful.
  if (upper.length < 3 || candidates.includes(upper)) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(upper, candidate);
    const allowed = candidate.length >= 6 ? 2 : 1;
    if (distance <= allowed && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
