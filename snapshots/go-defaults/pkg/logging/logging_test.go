package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/visiobook/media-service/pkg/correlation"
)

func decodeLines(t *testing.T, output *bytes.Buffer) []map[string]any {
	t.Helper()
	var lines []map[string]any
	decoder := json.NewDecoder(output)
	for decoder.More() {
		var line map[string]any
		require.NoError(t, decoder.Decode(&line))
		lines = append(lines, line)
	}
	return lines
}

func TestLinesAreJSONWithServiceFieldsAndCorrelationID(t *testing.T) {
	var output bytes.Buffer
	logger, err := NewWithOutput(Options{Service: "svc", Version: "1.2.3", Environment: "test", Level: "info"}, &output)
	require.NoError(t, err)

	ctx := correlation.WithID(context.Background(), "corr-1")
	FromContext(ctx, logger).Info("hello")
	FromContext(context.Background(), logger).Warn("no request")
	logger.Debug("below the level")

	lines := decodeLines(t, &output)
	require.Len(t, lines, 2)
	assert.Equal(t, "hello", lines[0]["message"])
	assert.Equal(t, "info", lines[0]["level"])
	assert.Equal(t, "svc", lines[0]["service"])
	assert.Equal(t, "1.2.3", lines[0]["version"])
	assert.Equal(t, "test", lines[0]["environment"])
	assert.Equal(t, "corr-1", lines[0]["correlationId"])
	assert.Regexp(t, regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`), lines[0]["timestamp"])
	assert.Equal(t, "warn", lines[1]["level"])
	assert.NotContains(t, lines[1], "correlationId")
}

func TestUnknownLevelIsRefused(t *testing.T) {
	_, err := New(Options{Level: "loud"})
	assert.Error(t, err)
}
