/**
 * One test process for all expression suites: each *.cases.ts file registers its own describe
 * blocks; loading them here keeps the suite to a single process start (well under 5 s).
 */
import './arithmetic.cases.ts';
import './logic-comparison.cases.ts';
import './string.cases.ts';
import './cast.cases.ts';
import './time.cases.ts';
import './math-json-collection.cases.ts';
import './catalog-compile.cases.ts';
