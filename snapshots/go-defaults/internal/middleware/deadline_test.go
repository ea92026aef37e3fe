package middleware

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

const testTimeout = 100 * time.Millisecond

// router serves, under /api/v1, routes that answer in time, late (once hold is closed; started
// is told when one begins, when not nil), or fail at the deadline, with at most one request in
// progress; its Errors middleware logs to logs.
func router(t *testing.T, hold, started chan struct{}) (http.Handler, *observer.ObservedLogs) {
	t.Helper()
	gin.SetMode(gin.ReleaseMode)
	core, logs := observer.New(zap.InfoLevel)
	engine := gin.New()
	engine.Use(CorrelationID("x-correlation-id"), SecurityHeaders, Errors(zap.New(core)))
	api := engine.Group("/api/v1", Shed(1), KeepHeaders)
	api.GET("/quick", func(c *gin.Context) {
		c.Header("Location", "/api/v1/quick/1")
		c.JSON(http.StatusCreated, gin.H{"ok": true})
	})
	api.GET("/late", func(c *gin.Context) {
		if started != nil {
			started <- struct{}{}
		}
		<-c.Request.Context().Done()
		<-hold // the handler ignores its deadline for a while
		c.JSON(http.StatusOK, gin.H{"late": true})
	})
	api.GET("/failing", func(c *gin.Context) {
		<-c.Request.Context().Done()
		_ = c.Error(c.Request.Context().Err()) // as a cancelled statement does
	})
	engine.GET("/live", func(c *gin.Context) {
		time.Sleep(2 * testTimeout)
		c.String(http.StatusOK, "alive")
	})
	return Deadline(engine, testTimeout), logs
}

func serve(handler http.Handler, path string) *httptest.ResponseRecorder {
	recorder := httptest.NewRecorder()
	handler.ServeHTTP(recorder, httptest.NewRequest(http.MethodGet, path, nil))
	return recorder
}

func decode(t *testing.T, recorder *httptest.ResponseRecorder) ErrorDetail {
	t.Helper()
	var body ErrorBody
	require.NoError(t, json.Unmarshal(recorder.Body.Bytes(), &body), recorder.Body.String())
	return body.Error
}

func TestAnAnswerInTimeIsSentAsTheRouterWroteIt(t *testing.T) {
	handler, _ := router(t, nil, nil)
	recorder := serve(handler, "/api/v1/quick")
	assert.Equal(t, http.StatusCreated, recorder.Code)
	assert.Equal(t, "/api/v1/quick/1", recorder.Header().Get("Location"))
	assert.JSONEq(t, `{"ok": true}`, recorder.Body.String())
}

func TestALateAnswerIsReplacedByThe503OfTheDeadline(t *testing.T) {
	hold := make(chan struct{})
	handler, _ := router(t, hold, nil)
	started := time.Now()
	recorder := serve(handler, "/api/v1/late")
	assert.Less(t, time.Since(started), testTimeout+time.Second)
	assert.Equal(t, http.StatusServiceUnavailable, recorder.Code)
	assert.Equal(t, "application/json; charset=utf-8", recorder.Header().Get("Content-Type"))
	assert.Equal(t, "nosniff", recorder.Header().Get("X-Content-Type-Options"))
	assert.Empty(t, recorder.Header().Get("Retry-After"))
	failure := decode(t, recorder)
	assert.Equal(t, "SERVICE_UNAVAILABLE", failure.Code)
	assert.Equal(t, "request took longer than 100 ms", failure.Message)
	assert.Equal(t, recorder.Header().Get("x-correlation-id"), failure.CorrelationID)

	// Its place is free at the deadline, while the late handler still runs.
	assert.Equal(t, http.StatusCreated, serve(handler, "/api/v1/quick").Code)
	close(hold)
}

func TestAFailureAtTheDeadlineIsNotLoggedAsAnError(t *testing.T) {
	handler, logs := router(t, nil, nil)
	recorder := serve(handler, "/api/v1/failing")
	assert.Equal(t, http.StatusServiceUnavailable, recorder.Code)
	assert.Equal(t, "request took longer than 100 ms", decode(t, recorder).Message)
	time.Sleep(50 * time.Millisecond) // the handler's end, after the answer
	assert.Zero(t, logs.FilterMessage("unhandled error").Len())
}

func TestARequestOverTheConcurrencyIsShed(t *testing.T) {
	hold, started := make(chan struct{}), make(chan struct{}, 1)
	handler, _ := router(t, hold, started)
	late := make(chan int)
	go func() { late <- serve(handler, "/api/v1/late").Code }()
	<-started
	shed := serve(handler, "/api/v1/quick")
	assert.Equal(t, http.StatusServiceUnavailable, shed.Code)
	assert.Equal(t, "1", shed.Header().Get("Retry-After"))
	assert.Equal(t, "too many requests in progress", decode(t, shed).Message)
	assert.Equal(t, http.StatusServiceUnavailable, <-late)
	close(hold)
}

func TestOnlyTheAPIHasADeadline(t *testing.T) {
	handler, _ := router(t, nil, nil)
	recorder := serve(handler, "/live")
	assert.Equal(t, http.StatusOK, recorder.Code)
	assert.Equal(t, "alive", recorder.Body.String())
}

func TestAPanicOutsideTheHandlersGoesOnInTheCallersGoroutine(t *testing.T) {
	handler := Deadline(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("broken") }), testTimeout)
	assert.PanicsWithValue(t, "broken", func() { serve(handler, "/api/v1/anything") })
}
