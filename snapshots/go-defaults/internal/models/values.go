package models

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgtype"
)

// The values of the contract's field types as clients write them (api/openapi.json says the
// same): years 1000 to 9999 and at most milliseconds, what every Visiobook backend stores the
// same.
var (
	date     = regexp.MustCompile(`^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}$`)
	dateTime = regexp.MustCompile(`^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,3})?(Z|[+-][0-9]{2}:[0-9]{2})$`)
	// A whole number as a query writes it: the digits 0-9, "-" its only sign, no leading zero.
	integer = regexp.MustCompile(`^-?(0|[1-9][0-9]{0,9})$`)
	anyUUID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

// InvalidValue is what is wrong with a value, as the API's errors say it.
type InvalidValue string

func (e InvalidValue) Error() string { return string(e) }

// Date is a calendar day, YYYY-MM-DD.
type Date string

// IsDate tells whether text is a day of the calendar written YYYY-MM-DD.
func IsDate(text string) bool {
	_, err := time.Parse(time.DateOnly, text)
	return date.MatchString(text) && err == nil
}

// ScanDate reads a date column.
func (d *Date) ScanDate(value pgtype.Date) error {
	*d = Date(value.Time.Format(time.DateOnly))
	return nil
}

// DateValue writes the day to a date column.
func (d Date) DateValue() (pgtype.Date, error) {
	day, err := time.Parse(time.DateOnly, string(d))
	return pgtype.Date{Time: day, Valid: err == nil}, err
}

// IsID tells whether text is a UUID, hyphenated, in any case.
func IsID(text string) bool {
	return anyUUID.MatchString(text)
}

// DecimalPattern matches a decimal(precision, scale) written as text: no leading zero, and no
// more digits than the column holds (so nothing is rounded).
func DecimalPattern(precision, scale int) *regexp.Regexp {
	whole := precision - scale
	before := "0"
	if whole > 0 {
		before = fmt.Sprintf("(0|[1-9][0-9]{0,%d})", whole-1)
	}
	after := ""
	if scale > 0 {
		after = fmt.Sprintf(`(\.[0-9]{1,%d})?`, scale)
	}
	return regexp.MustCompile("^-?" + before + after + "$")
}

// DecimalDigits says the digits a decimal(precision, scale) holds, as api/openapi.json does.
func DecimalDigits(precision, scale int) string {
	whole := precision - scale
	switch {
	case scale == 0:
		return fmt.Sprintf("at most %d digits and no point", whole)
	case whole == 0:
		return fmt.Sprintf("0 before the point and at most %d digits after", scale)
	}
	return fmt.Sprintf("at most %d digits before the point and %d after", whole, scale)
}

// How the list's filter[<field>] parameters read the query's text, by the field's type: each
// returns the value the column is compared with, or what is wrong with the text.

// ContainedText reads a string field's filter: the rows whose value contains the text.
func ContainedText(maxLength int) func(string) (any, error) {
	return func(text string) (any, error) {
		length := utf8.RuneCountInString(text)
		if !utf8.ValidString(text) || length < 1 || length > maxLength {
			return nil, InvalidValue(fmt.Sprintf("must be 1 to %d characters", maxLength))
		}
		if strings.ContainsRune(text, 0) {
			return nil, InvalidValue("must not contain NUL characters")
		}
		return text, nil
	}
}

// IntegerText reads a whole number in PostgreSQL's integer range.
func IntegerText(text string) (any, error) {
	number, err := strconv.ParseInt(text, 10, 32)
	if !integer.MatchString(text) || err != nil {
		return nil, InvalidValue("must be a whole number from -2147483648 to 2147483647")
	}
	return int32(number), nil
}

// DecimalText reads a decimal(precision, scale) as bodies write it.
func DecimalText(precision, scale int) func(string) (any, error) {
	pattern := DecimalPattern(precision, scale)
	return func(text string) (any, error) {
		if !pattern.MatchString(text) {
			return nil, InvalidValue("must be a decimal number as text: " + DecimalDigits(precision, scale))
		}
		return text, nil
	}
}

// BooleanText reads true or false.
func BooleanText(text string) (any, error) {
	if text != "true" && text != "false" {
		return nil, InvalidValue("must be true or false")
	}
	return text == "true", nil
}

// DateText reads a day, YYYY-MM-DD.
func DateText(text string) (any, error) {
	if !IsDate(text) {
		return nil, InvalidValue("must be a date: YYYY-MM-DD")
	}
	return Date(text), nil
}

// OneOf reads one of an enum's values.
func OneOf(values ...string) func(string) (any, error) {
	return func(text string) (any, error) {
		for _, value := range values {
			if text == value {
				return text, nil
			}
		}
		return nil, InvalidValue("must be one of: " + strings.Join(values, ", "))
	}
}

// IDText reads a reference's id: a UUID in any case, compared in lower case.
func IDText(text string) (any, error) {
	if !IsID(text) {
		return nil, InvalidValue("must be a UUID")
	}
	return strings.ToLower(text), nil
}
