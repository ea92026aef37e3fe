package middleware

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/visiobook/asset-library/internal/utils"
	"github.com/visiobook/asset-library/pkg/correlation"
)

// Deadline answers an /api/v1 request that next has not answered within timeout (REQUEST_TIMEOUT)
// itself: 503 SERVICE_UNAVAILABLE, "request took longer than 5 s". The request's context ends
// at the deadline, so pgx cancels the statement in progress; whatever the handler writes later
// is dropped. Other paths (the probes, the docs) have no deadline.
//
// It wraps the whole router, since a gin context cannot outlive its handler: the router runs in
// a goroutine of its own and writes into a pendingAnswer, which is sent once the router is done,
// unless the deadline came first.
func Deadline(next http.Handler, timeout time.Duration) http.Handler {
	return &deadline{next: next, timeout: timeout}
}

type deadline struct {
	next    http.Handler
	timeout time.Duration
}

func (d *deadline) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, "/api/v1/") {
		d.next.ServeHTTP(w, r)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), d.timeout)
	defer cancel()
	answer := &pendingAnswer{header: http.Header{}, late: utils.TookTooLong(d.timeout)}
	ctx = context.WithValue(ctx, pendingAnswerKey{}, answer)
	done := make(chan struct{})
	panicked := make(chan any, 1)
	go func() {
		defer close(done)
		defer func() {
			// gin's recovery catches the handlers' panics; one of the router's own goes on in
			// the connection's goroutine, where net/http recovers it.
			if recovered := recover(); recovered != nil {
				panicked <- recovered
			}
		}()
		d.next.ServeHTTP(answer, r.WithContext(ctx))
	}()

	select {
	case <-done:
	case <-ctx.Done():
		select {
		case <-done: // answered just in time
		default:
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				answer.expire()
				answer.sendLate(w)
				return
			}
			<-done // the client left: the router stops soon, its statement cancelled
		}
	}
	select {
	case recovered := <-panicked:
		panic(recovered)
	default:
	}
	answer.send(w)
}

type pendingAnswerKey struct{}

// pendingAnswer holds what the router writes until it is sent, or dropped at the deadline.
type pendingAnswer struct {
	// header is the router's alone (it is sent once the router is done), never locked.
	header http.Header
	// late is the deadline's answer.
	late *utils.APIError

	mu     sync.Mutex
	status int
	body   bytes.Buffer
	// expired: the deadline's answer is sent (or being sent), the router's dropped.
	expired bool
	// kept are the headers the deadline's answer carries: the router's when it last kept them.
	kept http.Header
	// id is the request's correlation id, once kept.
	id string
	// onExpire are called when the deadline's answer is sent.
	onExpire []func()
}

func (a *pendingAnswer) Header() http.Header { return a.header }

func (a *pendingAnswer) WriteHeader(status int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.status == 0 {
		a.status = status
	}
}

func (a *pendingAnswer) Write(data []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.expired {
		return 0, http.ErrHandlerTimeout
	}
	if a.status == 0 {
		a.status = http.StatusOK
	}
	return a.body.Write(data)
}

// keep notes the headers so far, for the deadline's answer.
func (a *pendingAnswer) keep(header http.Header, id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.kept, a.id = header.Clone(), id
}

// whenExpired calls release when the deadline's answer is sent, at once if it was.
func (a *pendingAnswer) whenExpired(release func()) {
	a.mu.Lock()
	expired := a.expired
	if !expired {
		a.onExpire = append(a.onExpire, release)
	}
	a.mu.Unlock()
	if expired {
		release()
	}
}

// expire drops the router's answer and releases what waited for the deadline.
func (a *pendingAnswer) expire() {
	a.mu.Lock()
	a.expired = true
	released := a.onExpire
	a.onExpire = nil
	a.mu.Unlock()
	for _, release := range released {
		release()
	}
}

func (a *pendingAnswer) hasExpired() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.expired
}

// sendLate sends the deadline's answer, with the headers kept (no Retry-After: waiting would
// not make the request faster).
func (a *pendingAnswer) sendLate(w http.ResponseWriter) {
	a.mu.Lock()
	kept, id := a.kept, a.id
	a.mu.Unlock()
	header := w.Header()
	for name, values := range kept {
		header[name] = values
	}
	header.Del("Content-Length")
	header.Del("Retry-After")
	header.Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(a.late.Status)
	_ = json.NewEncoder(w).Encode(ErrorBody{Error: ErrorDetail{
		Code:          a.late.Code,
		Message:       a.late.Message,
		CorrelationID: id,
		Timestamp:     utils.FormatTime(time.Now()),
	}})
}

// send sends the router's answer.
func (a *pendingAnswer) send(w http.ResponseWriter) {
	header := w.Header()
	for name, values := range a.header {
		header[name] = values
	}
	status := a.status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(a.body.Bytes())
}

func pendingAnswerOf(ctx context.Context) *pendingAnswer {
	answer, _ := ctx.Value(pendingAnswerKey{}).(*pendingAnswer)
	return answer
}

// KeepHeaders notes the headers set so far (correlation id, security, CORS, rate limit), which
// the deadline's 503 carries.
func KeepHeaders(c *gin.Context) {
	keepHeaders(c)
	c.Next()
}

func keepHeaders(c *gin.Context) {
	if answer := pendingAnswerOf(c.Request.Context()); answer != nil {
		answer.keep(c.Writer.Header(), correlation.ID(c.Request.Context()))
	}
}

// pastDeadline is the deadline's answer once the request's deadline has passed: the client has
// it (or is about to), and whatever failed in the handler failed for that reason. It reads the
// clock, not the context: PostgreSQL's statement_timeout (REQUEST_TIMEOUT too) may end the
// statement a moment before the context's timer fires.
func pastDeadline(c *gin.Context) (*utils.APIError, bool) {
	answer := pendingAnswerOf(c.Request.Context())
	deadline, set := c.Request.Context().Deadline()
	if answer == nil || !set || time.Now().Before(deadline) {
		return nil, false
	}
	return answer.late, true
}
