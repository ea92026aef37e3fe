// The same-SQL baseline of a generated Go service's `GET /api/v1/items`: Gin and pgx's pool (the
// versions the generated service's go.mod requires), and nothing else.
//
// benchmarks/services.py builds it next to a copy of the generated go.mod and go.sum and runs it;
// it is never generated into a service. It sends the statements the generated list route is
// meant to send, which the benchmark checks in PostgreSQL's log before it compares the two.
package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"hash"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The generated repository's filter: $1 is NULL (no filter) or a LIKE pattern.
const matching = `$1::text IS NULL OR name ILIKE $1 ESCAPE '\'`

// The page and the exact total in one statement, as the generated repository sends it.
const page = "SELECT id, name, description, created_at, updated_at, version, (SELECT count(*) FROM items WHERE " +
	matching + ") AS total FROM items WHERE " + matching + ` ORDER BY "created_at" DESC, id LIMIT $2 OFFSET $3`

// Only for a page past the end, which has no row to carry the total.
const total = "SELECT count(*) FROM items WHERE " + matching

type item struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Description *string `json:"description"`
	CreatedAt   string  `json:"createdAt"`
	UpdatedAt   string  `json:"updatedAt"`
	Version     int32   `json:"version"`
}

type pagination struct {
	Page       int   `json:"page"`
	Limit      int   `json:"limit"`
	Total      int64 `json:"total"`
	TotalPages int64 `json:"totalPages"`
}

type listBody struct {
	Data       []item     `json:"data"`
	Pagination pagination `json:"pagination"`
}

const timestamp = "2006-01-02T15:04:05.000Z07:00"

// HMACs keyed once with JWT_SECRET, reused: one HMAC-SHA256 a request, no JOSE library.
var macs sync.Pool

// authorized: an HS256 bearer token signed with JWT_SECRET whose `exp` is in the future.
func authorized(header string) bool {
	scheme, token, _ := strings.Cut(header, " ")
	dot := strings.LastIndexByte(token, '.')
	if !strings.EqualFold(scheme, "bearer") || dot < 0 {
		return false
	}
	signature, err := base64.RawURLEncoding.DecodeString(token[dot+1:])
	if err != nil {
		return false
	}
	mac := macs.Get().(hash.Hash)
	mac.Reset()
	mac.Write([]byte(token[:dot]))
	valid := hmac.Equal(signature, mac.Sum(nil))
	macs.Put(mac)
	if !valid {
		return false
	}
	_, payload, _ := strings.Cut(token[:dot], ".")
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return false
	}
	var claims struct {
		Exp float64 `json:"exp"`
	}
	if json.Unmarshal(raw, &claims) != nil {
		return false
	}
	return claims.Exp > float64(time.Now().Unix())
}

func listItems(pool *pgxpool.Pool) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !authorized(c.GetHeader("Authorization")) {
			c.JSON(http.StatusUnauthorized, gin.H{"status": 401, "title": "Unauthorized"})
			return
		}
		pageNumber, _ := strconv.Atoi(c.DefaultQuery("page", "1"))
		limit, _ := strconv.Atoi(c.DefaultQuery("limit", "10"))
		offset := (pageNumber - 1) * limit
		ctx := c.Request.Context()
		rows, err := pool.Query(ctx, page, nil, limit, offset)
		if err != nil {
			c.AbortWithStatus(http.StatusInternalServerError)
			return
		}
		body := listBody{Data: make([]item, 0, limit)}
		var count int64
		for rows.Next() {
			var row item
			var created, updated time.Time
			if err := rows.Scan(&row.ID, &row.Name, &row.Description, &created, &updated, &row.Version, &count); err != nil {
				rows.Close()
				c.AbortWithStatus(http.StatusInternalServerError)
				return
			}
			row.CreatedAt = created.UTC().Format(timestamp)
			row.UpdatedAt = updated.UTC().Format(timestamp)
			body.Data = append(body.Data, row)
		}
		if rows.Err() != nil {
			c.AbortWithStatus(http.StatusInternalServerError)
			return
		}
		if len(body.Data) == 0 && offset > 0 {
			if err := pool.QueryRow(ctx, total, nil).Scan(&count); err != nil {
				c.AbortWithStatus(http.StatusInternalServerError)
				return
			}
		}
		pages := (count + int64(limit) - 1) / int64(limit)
		body.Pagination = pagination{Page: pageNumber, Limit: limit, Total: count, TotalPages: pages}
		c.JSON(http.StatusOK, body)
	}
}

func main() {
	key := []byte(os.Getenv("JWT_SECRET"))
	macs.New = func() any { return hmac.New(sha256.New, key) }
	config, err := pgxpool.ParseConfig(os.Getenv("DATABASE_URL"))
	if err != nil {
		panic(err)
	}
	poolSize, err := strconv.Atoi(os.Getenv("DB_POOL_SIZE"))
	if err != nil {
		poolSize = 10
	}
	config.MaxConns = int32(poolSize)
	pool, err := pgxpool.NewWithConfig(context.Background(), config)
	if err != nil {
		panic(err)
	}
	defer pool.Close()

	gin.SetMode(gin.ReleaseMode)
	router := gin.New()
	router.GET("/api/v1/items", listItems(pool))
	router.GET("/health", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "healthy"}) })
	router.GET("/ready", func(c *gin.Context) {
		if err := pool.Ping(c.Request.Context()); err != nil {
			c.AbortWithStatus(http.StatusServiceUnavailable)
			return
		}
		c.JSON(http.StatusOK, gin.H{"status": "ready"})
	})
	server := &http.Server{Addr: "127.0.0.1:" + os.Getenv("PORT"), Handler: router}
	go func() {
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
		<-stop
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = server.Shutdown(ctx)
	}()
	if err := server.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		panic(err)
	}
}
