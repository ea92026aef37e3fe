// Package models holds the service's data: the rows it stores, the inputs it accepts, and the
// errors the storage layer reports.
package models

import (
	"encoding/json"
	"errors"
	"reflect"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/visiobook/media-service/internal/utils"
)

// ErrNotFound means no row has the requested id.
var ErrNotFound = errors.New("not found")

// TakenError means another row already holds the value of a unique field (PostgreSQL's unique
// constraint on its column).
type TakenError struct {
	Field string // as the API names it
}

func (e *TakenError) Error() string { return e.Field + " already taken" }

// MissingRowError means a reference names no row of the resource it refers to.
type MissingRowError struct {
	Field  string // as the API names it: authorId
	Target string // the item it refers to: person
}

func (e *MissingRowError) Error() string { return e.Field + " names no " + e.Target }

// ReferredError means the row to delete is still referred to by rows of another table.
type ReferredError struct {
	By string // the referring resource: books
}

func (e *ReferredError) Error() string { return "referred to by " + e.By }

// Optional is a JSON field that may be left out: Set tells "absent" from "present", which
// PATCH needs ("description": null clears the field; no "description" keeps it).
type Optional[T any] struct {
	Value T
	Set   bool
}

// Some returns a present Optional holding value.
func Some[T any](value T) Optional[T] {
	return Optional[T]{Value: value, Set: true}
}

// UnmarshalJSON runs only for fields present in the document.
func (o *Optional[T]) UnmarshalJSON(data []byte) error {
	o.Set = true
	return json.Unmarshal(data, &o.Value)
}

// MarshalJSON writes the value; a field tagged `omitzero` is left out when it is not set.
func (o Optional[T]) MarshalJSON() ([]byte, error) {
	return json.Marshal(o.Value)
}

// Sent is the value when present, and nil (SQL's NULL) when absent: what a statement that sets
// the column only when the field is present binds, as no value of T may fit the column ("" is
// no uuid or date).
func (o Optional[T]) Sent() any {
	if !o.Set {
		return nil
	}
	return o.Value
}

// IsZero tells `omitzero` that an absent value is left out.
func (o Optional[T]) IsZero() bool {
	return !o.Set
}

// Nullable tells whether null is a value the field can hold.
func (o Optional[T]) Nullable() bool {
	return reflect.TypeFor[T]().Kind() == reflect.Pointer
}

// ValidationValue is what validator checks: a pointer to the value when present, a nil
// pointer (skipped by `omitnil`) when absent.
func (o Optional[T]) ValidationValue() any {
	if !o.Set {
		var absent *T
		return absent
	}
	return &o.Value
}

// Timestamp is an instant as the API writes it: UTC with milliseconds (utils.TimeLayout).
type Timestamp struct {
	time.Time
}

// MarshalJSON writes the instant in utils.TimeLayout. The layout has no character JSON escapes,
// so it is appended between quotes without another trip through encoding/json (a page has two
// per row).
func (t Timestamp) MarshalJSON() ([]byte, error) {
	text := make([]byte, 0, len(utils.TimeLayout)+2)
	text = append(text, '"')
	text = t.UTC().AppendFormat(text, utils.TimeLayout)
	return append(text, '"'), nil
}

// UnmarshalJSON reads an RFC 3339 instant with its offset, to the millisecond (api/openapi.json's
// pattern), which PostgreSQL's timestamptz(3) stores without rounding.
func (t *Timestamp) UnmarshalJSON(data []byte) error {
	var text string
	if json.Unmarshal(data, &text) != nil || !dateTime.MatchString(text) {
		return InvalidValue("must be an RFC 3339 date-time with its offset, to the millisecond")
	}
	parsed, err := time.Parse(time.RFC3339Nano, text)
	if err != nil {
		return InvalidValue("must be an RFC 3339 date-time with its offset, to the millisecond")
	}
	t.Time = parsed
	return nil
}

// TimestamptzValue writes the instant to a timestamptz column.
func (t Timestamp) TimestamptzValue() (pgtype.Timestamptz, error) {
	return pgtype.Timestamptz{Time: t.Time, Valid: true}, nil
}

// ScanTimestamptz reads a timestamptz column in UTC (pgx would give it in local time).
func (t *Timestamp) ScanTimestamptz(value pgtype.Timestamptz) error {
	t.Time = value.Time.UTC()
	return nil
}

// SortDirection is ASC or DESC, as SQL spells it.
type SortDirection string

const (
	Ascending  SortDirection = "ASC"
	Descending SortDirection = "DESC"
)

// ListQuery selects one page of a list endpoint (guidelines 3.1).
type ListQuery struct {
	Page  int
	Limit int
	// SortColumn is a column name taken from a fixed list, never from the request's text.
	SortColumn string
	Direction  SortDirection
	// Filters keep the rows that match every one, in the order of the resource's fields.
	Filters []Filter
	// Include names the references whose rows each item embeds, each once.
	Include []string
}

// Filter is one filter[<field>] a request gave: the rows whose column equals Value (read as
// the field's type) or, for a string field, contains it ignoring case.
type Filter struct {
	Field    string // as the API names it
	Column   string
	Value    any
	Contains bool
}

// ListFields is what a resource's list sorts on (the API's field: its column), filters on,
// and can embed.
type ListFields struct {
	Sort    map[string]string
	Filters []FilterField
	Include []string
}

// FilterField is a filter[<field>] parameter a list takes: its column, how the query's text
// is read (values.go), and whether rows match by containing the text (strings) or by being
// equal to the value.
type FilterField struct {
	Field    string
	Column   string
	Read     func(text string) (any, error)
	Contains bool
}
