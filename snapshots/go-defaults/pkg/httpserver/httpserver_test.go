package httpserver

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func listen(t *testing.T) net.Listener {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	return listener
}

func TestHeadersOverTheLimitAreRefusedWith431(t *testing.T) {
	listener := listen(t)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go func() {
		_ = Serve(ctx, listener, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "served")
		}), time.Second)
	}()
	send := func(size int) *http.Response {
		request, err := http.NewRequest(http.MethodGet, "http://"+listener.Addr().String()+"/", nil)
		require.NoError(t, err)
		request.Header.Set("X-Padding", strings.Repeat("p", size))
		response, err := http.DefaultClient.Do(request)
		require.NoError(t, err)
		_ = response.Body.Close()
		return response
	}
	assert.Equal(t, http.StatusOK, send(MaxHeaderBytes-1024).StatusCode)
	assert.Equal(t, http.StatusRequestHeaderFieldsTooLarge, send(MaxHeaderBytes+8<<10).StatusCode)
}

func TestShutdownLetsAnInFlightRequestFinish(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		_, _ = io.WriteString(w, "done")
	})
	listener := listen(t)
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, listener, handler, 5*time.Second) }()

	type result struct {
		body string
		err  error
	}
	response := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + listener.Addr().String() + "/slow")
		if err != nil {
			response <- result{err: err}
			return
		}
		defer func() { _ = resp.Body.Close() }()
		body, err := io.ReadAll(resp.Body)
		response <- result{string(body), err}
	}()

	<-started
	stop() // what SIGTERM does in main
	time.Sleep(100 * time.Millisecond)
	select {
	case err := <-served:
		t.Fatalf("server stopped before the request finished: %v", err)
	default:
	}
	_, err := net.DialTimeout("tcp", listener.Addr().String(), time.Second)
	assert.Error(t, err, "new connections are refused while draining")

	close(release)
	got := <-response
	require.NoError(t, got.err)
	assert.Equal(t, "done", got.body)
	assert.NoError(t, <-served)
}

func TestShutdownGivesUpAfterTheTimeout(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	defer close(release)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
	})
	listener := listen(t)
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, listener, handler, 50*time.Millisecond) }()
	go func() {
		resp, err := http.Get("http://" + listener.Addr().String())
		if err == nil {
			_ = resp.Body.Close()
		}
	}()
	<-started
	stop()
	assert.ErrorIs(t, <-served, context.DeadlineExceeded)
}

func TestServeReportsAListenerFailure(t *testing.T) {
	listener := listen(t)
	require.NoError(t, listener.Close())
	err := Serve(context.Background(), listener, http.NotFoundHandler(), time.Second)
	assert.ErrorContains(t, err, "http server stopped")
}
