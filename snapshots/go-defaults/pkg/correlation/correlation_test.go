package correlation

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
)

func TestContextCarriesTheID(t *testing.T) {
	ctx := WithID(context.Background(), "abc-123")
	assert.Equal(t, "abc-123", ID(ctx))
	assert.Equal(t, "", ID(context.Background()))
}

func TestFromHeaderKeepsAcceptableIDs(t *testing.T) {
	assert.Equal(t, "req-42.retry:1", FromHeader("req-42.retry:1"))
}

func TestFromHeaderReplacesMissingOrUnsafeIDs(t *testing.T) {
	for _, value := range []string{"", "has space", "line\nbreak", strings.Repeat("a", 129)} {
		id := FromHeader(value)
		_, err := uuid.Parse(id)
		assert.NoError(t, err, "replacement for %q", value)
	}
}
