// Package migrations holds the service's SQL migrations in goose's format, embedded in the
// binary: `server migrate` applies them and /ready reports whether they are all applied.
// Add a change as the next numbered file, e.g. 00002_add_status.sql.
package migrations

import "embed"

// FS holds every migration.
//
//go:embed *.sql
var FS embed.FS
