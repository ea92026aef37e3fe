// Package models holds the service's data: the rows it stores, the inputs it accepts, and the
// errors the storage layer reports.
package models

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/visiobook/asset-library/internal/utils"
)

var (
	// ErrNotFound means no row has the requested id.
	ErrNotFound = errors.New("not found")
	// ErrNameTaken means another row already has the name (a unique constraint).
	ErrNameTaken = errors.New("name already taken")
)

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
	// NameFilter keeps rows whose name contains it, ignoring case; "" keeps every row.
	NameFilter string
}
