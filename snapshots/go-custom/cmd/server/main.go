// Command server runs asset-library: `server` serves HTTP, `server migrate` applies the
// database migrations embedded in the binary and exits, `server dev-token [-sub NAME] [-roles
// LIST] [-expires 1h]` prints a development bearer token signed with the service's configuration.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"go.uber.org/zap"

	"github.com/visiobook/asset-library/internal/app"
	"github.com/visiobook/asset-library/internal/config"
	"github.com/visiobook/asset-library/pkg/logging"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

// run returns the exit code: 0 on a clean stop, 1 on failure, 2 on bad usage or configuration.
func run(args []string) int {
	if len(args) > 0 && args[0] == "dev-token" {
		return app.DevToken(args[1:], os.Stdout, os.Stderr)
	}
	if len(args) > 1 || (len(args) == 1 && args[0] != "migrate") {
		fmt.Fprintln(os.Stderr, "usage: server [migrate | dev-token [-sub NAME] [-roles LIST] [-expires DURATION]]")
		return 2
	}
	cfg, err := config.Load()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	logger, err := logging.New(logging.Options{
		Service:     cfg.ServiceName,
		Version:     cfg.ServiceVersion,
		Environment: cfg.Environment,
		Level:       cfg.LogLevel,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer func() { _ = logger.Sync() }()

	// SIGTERM (Kubernetes) or Ctrl-C ends ctx: serving stops, in-flight requests finish.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if len(args) == 1 {
		err = app.Migrate(ctx, cfg, logger)
	} else {
		err = app.Serve(ctx, cfg, logger)
	}
	if err != nil {
		logger.Error("failed", zap.Error(err))
		return 1
	}
	return 0
}
