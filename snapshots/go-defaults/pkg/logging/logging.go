// Package logging writes one JSON object per line on stdout, the format the Visiobook log
// pipeline expects (guidelines 5.2), with the request's correlation id when there is one.
package logging

import (
	"context"
	"io"
	"os"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/visiobook/media-service/pkg/correlation"
)

// Options name the service in every line.
type Options struct {
	Service     string
	Version     string
	Environment string
	Level       string
}

// New returns a JSON logger on stdout.
func New(options Options) (*zap.Logger, error) {
	return NewWithOutput(options, os.Stdout)
}

// NewWithOutput returns a JSON logger writing to output.
func NewWithOutput(options Options, output io.Writer) (*zap.Logger, error) {
	level, err := zapcore.ParseLevel(options.Level)
	if err != nil {
		return nil, err
	}
	encoder := zapcore.NewJSONEncoder(zapcore.EncoderConfig{
		TimeKey:        "timestamp",
		LevelKey:       "level",
		MessageKey:     "message",
		StacktraceKey:  "stack",
		EncodeTime:     encodeTime,
		EncodeLevel:    zapcore.LowercaseLevelEncoder,
		EncodeDuration: zapcore.MillisDurationEncoder,
		LineEnding:     zapcore.DefaultLineEnding,
	})
	core := zapcore.NewCore(encoder, zapcore.Lock(zapcore.AddSync(output)), level)
	return zap.New(core, zap.AddStacktrace(zapcore.ErrorLevel)).With(
		zap.String("service", options.Service),
		zap.String("version", options.Version),
		zap.String("environment", options.Environment),
	), nil
}

// encodeTime writes RFC 3339 in UTC with milliseconds, as every Visiobook service logs.
func encodeTime(t time.Time, encoder zapcore.PrimitiveArrayEncoder) {
	encoder.AppendString(t.UTC().Format("2006-01-02T15:04:05.000Z"))
}

// CorrelationKey names the request's correlation id in a line.
const CorrelationKey = "correlationId"

// FromContext returns logger with the correlation id carried by ctx, if any.
func FromContext(ctx context.Context, logger *zap.Logger) *zap.Logger {
	if id := correlation.ID(ctx); id != "" {
		return logger.With(zap.String(CorrelationKey, id))
	}
	return logger
}
