package utils

import "time"

// TimeLayout is how the API writes instants: RFC 3339 in UTC with milliseconds, the precision
// of the timestamptz(3) columns, e.g. 2026-11-28T09:30:00.000Z.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// FormatTime writes t in TimeLayout.
func FormatTime(t time.Time) string {
	return t.UTC().Format(TimeLayout)
}
