package database

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5/pgconn"
)

// Label values of db_query_duration_seconds and db_query_errors_total (guidelines 5.3), the same
// in every Visiobook backend.
const (
	OperationSelect = "select"
	OperationInsert = "insert"
	OperationUpdate = "update"
	OperationDelete = "delete"
	// OperationOther is any other statement that reads or writes rows (DDL, MERGE, VALUES...).
	OperationOther = "other"
	// TableUnknown is the table of a statement that names none after FROM, INTO or UPDATE.
	TableUnknown = "unknown"
	// ErrorConnection is the error type of a statement the server gave no answer to: the
	// connection was refused or lost, or the call was cancelled on the client side.
	ErrorConnection = "connection"
)

// Statement is what the query metrics say of one SQL statement.
type Statement struct {
	Operation string
	Table     string
}

// notRecorded are the first keywords of transaction control and session statements: they name
// no table, and the backends differ in how many of them they send.
var notRecorded = map[string]bool{
	"begin": true, "start": true, "commit": true, "end": true, "rollback": true, "abort": true,
	"savepoint": true, "release": true, "prepare": true, "lock": true,
	"set": true, "reset": true, "show": true, "deallocate": true, "discard": true,
	"listen": true, "unlisten": true, "notify": true, "load": true,
}

// verbs are the operations named after their statement's first keyword; others are "other".
var verbs = map[string]bool{
	OperationSelect: true, OperationInsert: true, OperationUpdate: true, OperationDelete: true,
}

// statementCacheSize bounds the classification cache: a service's statements are a fixed set,
// but one that writes its values into the SQL text would otherwise grow it without end.
const statementCacheSize = 1024

type classified struct {
	statement Statement
	recorded  bool
}

var (
	statementCache   sync.Map // SQL text -> classified
	statementsCached atomic.Int64
)

// ClassifyStatement names the operation and table of sql (cached by its text). recorded is false
// for the statements the metrics leave out: transaction control, session statements, and text
// with no statement at all (comments, an empty string).
func ClassifyStatement(sql string) (statement Statement, recorded bool) {
	if cached, ok := statementCache.Load(sql); ok {
		c := cached.(classified)
		return c.statement, c.recorded
	}
	statement, recorded = classifyStatement(sql)
	if statementsCached.Load() < statementCacheSize {
		if _, loaded := statementCache.LoadOrStore(sql, classified{statement, recorded}); !loaded {
			statementsCached.Add(1)
		}
	}
	return statement, recorded
}

// classifyStatement reads the leading keywords of sql: the verb is its first word (for WITH, the
// first SELECT, INSERT, UPDATE or DELETE outside the parentheses of its queries), and the table
// the first name after FROM, INTO or UPDATE at the verb's level of parentheses, from the verb on
// (the main statement's, not that of a WITH query). Parentheses right after FROM are a subquery,
// whose own FROM names the table; a name followed by parentheses after FROM is a function.
func classifyStatement(sql string) (Statement, bool) {
	lex := lexer{src: sql}
	first := lex.next()
	// A statement may open with parentheses, e.g. (SELECT ...) UNION (SELECT ...).
	for first.kind == punctToken && first.text == "(" {
		first = lex.next()
	}
	if first.kind != wordToken || notRecorded[first.text] {
		return Statement{}, false
	}
	verb := first.text
	if verb == "with" {
		verb = mainVerb(&lex)
		if verb == "" {
			return Statement{Operation: OperationOther, Table: TableUnknown}, true
		}
	}
	operation := verb
	if !verbs[verb] {
		operation = OperationOther
	}
	table := TableUnknown
	if verb == "update" {
		table = tableName(&lex, false)
	}
	if table == TableUnknown {
		table = findTable(&lex)
	}
	return Statement{Operation: operation, Table: table}, true
}

// mainVerb is the first SELECT, INSERT, UPDATE or DELETE outside parentheses, or "" when none
// comes before the end of the statement.
func mainVerb(lex *lexer) string {
	depth := 0
	for {
		t := lex.next()
		switch {
		case t.kind == endToken || (t.kind == punctToken && t.text == ";" && depth == 0):
			return ""
		case t.kind == punctToken && t.text == "(":
			depth++
		case t.kind == punctToken && t.text == ")":
			depth--
		case t.kind == wordToken && depth == 0 && verbs[t.text]:
			return t.text
		}
	}
}

// findTable scans the rest of the statement, at its level of parentheses, for the first table
// named after FROM, INTO or UPDATE.
func findTable(lex *lexer) string {
	depth, level := 0, 0
	for {
		t := lex.next()
		switch {
		case t.kind == endToken || (t.kind == punctToken && t.text == ";" && depth == 0):
			return TableUnknown
		case t.kind == punctToken && t.text == "(":
			depth++
		case t.kind == punctToken && t.text == ")":
			depth--
			if depth < level {
				// The end of the subquery that held no table.
				return TableUnknown
			}
		case t.kind == wordToken && depth == level && (t.text == "from" || t.text == "into" || t.text == "update"):
			after := lex.peek()
			if t.text == "from" && after.kind == punctToken && after.text == "(" {
				lex.next()
				depth++
				level = depth
				continue
			}
			if table := tableName(lex, t.text == "from"); table != TableUnknown {
				return table
			}
		}
	}
}

// tableName reads a table name at the lexer's position: an identifier, maybe schema-qualified
// (the last part is the table), after ONLY or LATERAL. After FROM (isFrom), a name followed by
// parentheses is a function, not a table.
func tableName(lex *lexer, isFrom bool) string {
	t := lex.peek()
	for t.kind == wordToken && (t.text == "only" || t.text == "lateral") {
		lex.next()
		t = lex.peek()
	}
	if t.kind != wordToken && t.kind != quotedToken {
		return TableUnknown
	}
	lex.next()
	name := t.text
	for {
		dot := lex.peek()
		if dot.kind != punctToken || dot.text != "." {
			break
		}
		lex.next()
		part := lex.peek()
		if part.kind != wordToken && part.kind != quotedToken {
			break
		}
		lex.next()
		name = part.text
	}
	if after := lex.peek(); isFrom && after.kind == punctToken && after.text == "(" {
		return TableUnknown
	}
	return name
}

// ErrorType is the error_type of a failed statement: the SQLSTATE the server answered with
// (e.g. 23505), or ErrorConnection when it gave none.
func ErrorType(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && len(pgErr.Code) == 5 {
		return pgErr.Code
	}
	return ErrorConnection
}

type tokenKind int

const (
	endToken    tokenKind = iota
	wordToken             // a keyword or an unquoted name, lowercased
	quotedToken           // a quoted name, as written
	punctToken            // ( ) , . ;
	otherToken            // a literal, a parameter, an operator
)

type token struct {
	kind tokenKind
	text string
}

// lexer splits SQL into the tokens the classifier needs, skipping spaces, comments and literals.
type lexer struct {
	src       string
	pos       int
	peeked    token
	hasPeeked bool
}

func (l *lexer) peek() token {
	if !l.hasPeeked {
		l.peeked = l.scan()
		l.hasPeeked = true
	}
	return l.peeked
}

func (l *lexer) next() token {
	t := l.peek()
	l.hasPeeked = false
	return t
}

func (l *lexer) scan() token {
	l.skipSpaceAndComments()
	if l.pos >= len(l.src) {
		return token{kind: endToken}
	}
	c := l.src[l.pos]
	switch {
	case c == '"':
		return token{kind: quotedToken, text: l.delimited('"', false)}
	case c == '\'':
		l.delimited('\'', false)
		return token{kind: otherToken}
	case (c == 'e' || c == 'E') && l.pos+1 < len(l.src) && l.src[l.pos+1] == '\'':
		l.pos++
		l.delimited('\'', true)
		return token{kind: otherToken}
	case c == '$' && l.dollarQuoted():
		return token{kind: otherToken}
	case isWordStart(c):
		start := l.pos
		for l.pos < len(l.src) && isWordPart(l.src[l.pos]) {
			l.pos++
		}
		return token{kind: wordToken, text: foldIdentifier(l.src[start:l.pos])}
	case strings.IndexByte("(),.;", c) >= 0:
		l.pos++
		return token{kind: punctToken, text: string(c)}
	}
	l.pos++
	return token{kind: otherToken}
}

func (l *lexer) skipSpaceAndComments() {
	for l.pos < len(l.src) {
		rest := l.src[l.pos:]
		switch {
		case rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\n' || rest[0] == '\r' || rest[0] == '\f':
			l.pos++
		case strings.HasPrefix(rest, "--"):
			end := strings.IndexByte(rest, '\n')
			if end < 0 {
				l.pos = len(l.src)
			} else {
				l.pos += end + 1
			}
		case strings.HasPrefix(rest, "/*"):
			// PostgreSQL's block comments nest.
			depth := 0
			for l.pos < len(l.src) {
				switch {
				case strings.HasPrefix(l.src[l.pos:], "/*"):
					depth++
					l.pos += 2
				case strings.HasPrefix(l.src[l.pos:], "*/"):
					depth--
					l.pos += 2
				default:
					l.pos++
				}
				if depth == 0 {
					break
				}
			}
		default:
			return
		}
	}
}

// delimited reads a quoted name or string from its opening quote and returns its text; a doubled
// quote stands for itself, and with backslashes (E'...') a backslash escapes the next character.
func (l *lexer) delimited(quote byte, backslashes bool) string {
	var text strings.Builder
	l.pos++
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case backslashes && c == '\\' && l.pos+1 < len(l.src):
			text.WriteByte(l.src[l.pos+1])
			l.pos += 2
			continue
		case c == quote && l.pos+1 < len(l.src) && l.src[l.pos+1] == quote:
			text.WriteByte(quote)
			l.pos += 2
			continue
		case c == quote:
			l.pos++
			return text.String()
		}
		text.WriteByte(c)
		l.pos++
	}
	return text.String()
}

// dollarQuoted skips a dollar-quoted string ($$...$$ or $tag$...$tag$) when one starts here;
// a parameter ($1) is not one.
func (l *lexer) dollarQuoted() bool {
	rest := l.src[l.pos:]
	end := 1
	for end < len(rest) && rest[end] != '$' {
		if !isWordPart(rest[end]) || (end == 1 && rest[end] >= '0' && rest[end] <= '9') {
			return false
		}
		end++
	}
	if end >= len(rest) {
		return false
	}
	tag := rest[:end+1]
	closing := strings.Index(rest[len(tag):], tag)
	if closing < 0 {
		l.pos = len(l.src)
	} else {
		l.pos += len(tag) + closing + len(tag)
	}
	return true
}

func isWordStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80
}

func isWordPart(c byte) bool {
	return isWordStart(c) || c == '$' || (c >= '0' && c <= '9')
}

// foldIdentifier lowercases an unquoted name as PostgreSQL does: ASCII letters only.
func foldIdentifier(name string) string {
	for i := 0; i < len(name); i++ {
		if name[i] >= 'A' && name[i] <= 'Z' {
			folded := []byte(name)
			for j := i; j < len(folded); j++ {
				if folded[j] >= 'A' && folded[j] <= 'Z' {
					folded[j] += 'a' - 'A'
				}
			}
			return string(folded)
		}
	}
	return name
}
