/**
 * What an SQL statement does, as the db_query_* metrics label it (guidelines 5.3): its verb and
 * the first table it names. Every Visiobook backend labels a statement alike; this reads only
 * its leading keywords and the names after FROM / INTO / UPDATE, no full SQL parser.
 */

export type Operation = "select" | "insert" | "update" | "delete" | "other";

export interface Statement {
  readonly operation: Operation;
  /** Unquoted and schema-less, as PostgreSQL names it; `unknown` when the statement names none. */
  readonly table: string;
}

const VERBS = new Set<string>(["select", "insert", "update", "delete"]);

// Transaction control and session statements: they name no table and read or write no row, and
// the stacks differ in how many of them they send, so they are not recorded.
const UNRECORDED = new Set([
  "abort",
  "begin",
  "commit",
  "deallocate",
  "discard",
  "end",
  "listen",
  "prepare",
  "release",
  "reset",
  "rollback",
  "savepoint",
  "set",
  "show",
  "start",
  "unlisten",
]);

// The statements a WITH query may end in, the first of them at the WITH's level being its verb.
const MAIN_STATEMENTS = new Set([
  "select",
  "insert",
  "update",
  "delete",
  "merge",
  "values",
  "table",
]);

// Words between FROM (or UPDATE, DELETE FROM) and the table's name.
const TABLE_PREFIXES = new Set(["only", "lateral"]);

/** A statement's token: an unquoted word (lowercased), a quoted name, or one other character. */
type Token =
  | { readonly word: string; readonly depth: number }
  | { readonly name: string; readonly depth: number }
  | { readonly symbol: string; readonly depth: number };

const CACHE_LIMIT = 1000;
const cache = new Map<string, Statement | null>();

/**
 * The operation and table of `sql`, or null for a statement that is not recorded (transaction
 * control, session settings, an empty text). Results are cached by statement text: Prisma sends
 * the same parameterized texts over and over.
 */
export function classifyStatement(sql: string): Statement | null {
  let statement = cache.get(sql);
  if (statement === undefined) {
    statement = classify(sql);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(sql, statement);
  }
  return statement;
}

function classify(sql: string): Statement | null {
  const tokens = tokenize(sql);
  const first = tokens.find((token) => !("symbol" in token && token.symbol === "("));
  if (first === undefined) return null;
  if (!("word" in first)) return { operation: "other", table: "unknown" };
  if (UNRECORDED.has(first.word)) return null;

  let verb = tokens.indexOf(first);
  if (first.word === "with") {
    verb = tokens.findIndex(
      (token, index) =>
        index > verb &&
        token.depth === first.depth &&
        "word" in token &&
        MAIN_STATEMENTS.has(token.word),
    );
  }
  const main = tokens[verb];
  const word = main !== undefined && "word" in main ? main.word : "other";
  const operation = VERBS.has(word) ? (word as Operation) : "other";
  return {
    operation,
    table: verb < 0 ? "unknown" : (tableOf(tokens, verb, operation) ?? "unknown"),
  };
}

/** The first table the statement from `tokens[verb]` on names, by the rule of its operation. */
function tableOf(tokens: readonly Token[], verb: number, operation: Operation): string | undefined {
  switch (operation) {
    case "insert":
      return nameAfter(tokens, verb, INTO);
    case "update":
      return nameAt(tokens, verb + 1);
    case "delete":
      return nameAfter(tokens, verb, FROM);
    case "select": {
      // FROM of the statement itself first (not `extract(year FROM x)`), else of a subquery
      // (`SELECT count(*) FROM (SELECT ... FROM t) AS sub`).
      const level = tokens[verb]?.depth;
      return nameAfter(tokens, verb, FROM, level) ?? nameAfter(tokens, verb, FROM);
    }
    case "other":
      return nameAfter(tokens, verb, ANY_TARGET);
  }
}

const FROM = new Set(["from"]);
const INTO = new Set(["into"]);
const ANY_TARGET = new Set(["from", "into", "update"]);

/** The name after the first of `keywords` past `start` (at `depth`, if given) a name follows. */
function nameAfter(
  tokens: readonly Token[],
  start: number,
  keywords: ReadonlySet<string>,
  depth?: number,
): string | undefined {
  for (let index = start + 1; index < tokens.length; index++) {
    const token = tokens[index];
    if (token === undefined || !("word" in token) || !keywords.has(token.word)) continue;
    if (depth !== undefined && token.depth !== depth) continue;
    const name = nameAt(tokens, index + 1, token.word === "from");
    if (name !== undefined) return name;
  }
  return undefined;
}

/**
 * The table named from `tokens[index]` on: `[ONLY] [schema.]table`, the last part of a dotted
 * name. With `notCall`, a name followed by "(" is a function (`FROM unnest($1)`), not a table.
 */
function nameAt(tokens: readonly Token[], index: number, notCall = false): string | undefined {
  let at = index;
  while (isWord(tokens[at], TABLE_PREFIXES)) at++;
  let name: string | undefined;
  for (;;) {
    const token = tokens[at];
    if (token === undefined) break;
    if ("word" in token) name = token.word;
    else if ("name" in token) name = token.name;
    else break;
    if (!isSymbol(tokens[at + 1], ".")) {
      at++;
      break;
    }
    at += 2;
  }
  if (name === undefined || (notCall && isSymbol(tokens[at], "("))) return undefined;
  return name;
}

function isWord(token: Token | undefined, words: ReadonlySet<string>): boolean {
  return token !== undefined && "word" in token && words.has(token.word);
}

function isSymbol(token: Token | undefined, symbol: string): boolean {
  return token !== undefined && "symbol" in token && token.symbol === symbol;
}

const WORD = /[\p{L}\p{N}_$]/u;
const WORD_START = /[\p{L}\p{N}_]/u;

/**
 * The statement's words, quoted names and symbols, each with its parenthesis depth; whitespace,
 * comments, string literals (standard, E'...', dollar-quoted) and parameters are left out.
 * Unquoted words are folded as PostgreSQL folds names: A-Z only.
 */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let depth = 0;
  let at = 0;
  while (at < sql.length) {
    const char = sql.charAt(at);
    const next = sql.charAt(at + 1);
    if (/\s/u.test(char)) {
      at++;
    } else if (char === "-" && next === "-") {
      const end = sql.indexOf("\n", at);
      at = end < 0 ? sql.length : end + 1;
    } else if (char === "/" && next === "*") {
      const end = sql.indexOf("*/", at + 2);
      at = end < 0 ? sql.length : end + 2;
    } else if (char === "'") {
      at = endOfString(sql, at, false);
    } else if ((char === "E" || char === "e") && next === "'") {
      at = endOfString(sql, at + 1, true);
    } else if (char === '"') {
      let name = "";
      at++;
      for (;;) {
        const end = sql.indexOf('"', at);
        if (end < 0) {
          name += sql.slice(at);
          at = sql.length;
          break;
        }
        name += sql.slice(at, end);
        at = end + 1;
        if (sql.charAt(at) !== '"') break;
        name += '"'; // "" inside a quoted name is one "
        at++;
      }
      tokens.push({ name, depth });
    } else if (char === "$") {
      // $1 is a parameter; $$...$$ and $tag$...$tag$ are dollar-quoted strings.
      const tag = /^\$(?:[\p{L}_][\p{L}\p{N}_]*)?\$/u.exec(sql.slice(at))?.[0];
      if (tag === undefined) {
        at++;
        while (/\d/.test(sql.charAt(at))) at++;
      } else {
        const end = sql.indexOf(tag, at + tag.length);
        at = end < 0 ? sql.length : end + tag.length;
      }
    } else if (WORD_START.test(char)) {
      let end = at + 1;
      while (end < sql.length && WORD.test(sql.charAt(end))) end++;
      tokens.push({ word: sql.slice(at, end).replace(/[A-Z]/g, (c) => c.toLowerCase()), depth });
      at = end;
    } else {
      if (char === ")") depth--;
      tokens.push({ symbol: char, depth });
      if (char === "(") depth++;
      at++;
    }
  }
  return tokens;
}

/** The index past the string literal whose opening quote is at `start`. */
function endOfString(sql: string, start: number, backslashes: boolean): number {
  let at = start + 1;
  while (at < sql.length) {
    const char = sql.charAt(at);
    if (backslashes && char === "\\") {
      at += 2;
    } else if (char === "'") {
      if (sql.charAt(at + 1) !== "'") return at + 1;
      at += 2;
    } else {
      at++;
    }
  }
  return at;
}
