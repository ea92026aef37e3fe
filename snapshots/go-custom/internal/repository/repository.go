// Package repository stores the service's data in PostgreSQL; services reach it through the
// interfaces they declare, so their tests can replace it.
package repository

import "strings"

// PostgreSQL's code for a violated unique constraint.
const uniqueViolation = "23505"

// containsPattern is the LIKE pattern of the rows whose text contains filter, every character of
// it taken literally; nil, which the list statements read as "keep every row", for no filter.
func containsPattern(filter string) *string {
	if filter == "" {
		return nil
	}
	pattern := "%" + likeEscaper.Replace(filter) + "%"
	return &pattern
}

// likeEscaper makes every character of a filter literal in LIKE: backslash is the escape
// character, so it escapes itself, % and _.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
