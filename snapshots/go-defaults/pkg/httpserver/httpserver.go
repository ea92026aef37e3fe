// Package httpserver runs an HTTP server until its context ends, then shuts it down gracefully:
// it stops accepting connections and lets in-flight requests finish (guidelines 7.1).
package httpserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// MaxHeaderBytes bounds a request's line and headers.
const MaxHeaderBytes = 16 << 10

// Serve serves handler on listener until ctx is done, then drains in-flight requests for at most
// shutdownTimeout. It returns nil after a complete drain.
func Serve(ctx context.Context, listener net.Listener, handler http.Handler, shutdownTimeout time.Duration) error {
	server := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		// The request line and headers: 16 KiB, as every Visiobook backend (net/http reads 4 KiB
		// more before it answers its own bare 431).
		MaxHeaderBytes: MaxHeaderBytes,
		// Handlers see the server's base context; cancelling it would abort in-flight requests,
		// so it is detached from ctx, whose end only starts the drain.
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	served := make(chan error, 1)
	go func() { served <- server.Serve(listener) }()

	select {
	case err := <-served:
		return fmt.Errorf("http server stopped: %w", err)
	case <-ctx.Done():
	}
	drainCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := server.Shutdown(drainCtx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
