package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/visiobook/asset-library/internal/config"
	"github.com/visiobook/asset-library/internal/utils"
)

// DevTokenUsage is the synopsis of `server dev-token`.
const DevTokenUsage = "usage: server dev-token [-sub NAME] [-roles LIST] [-expires DURATION]"

// DevToken runs `server dev-token [-sub NAME] [-roles admin] [-expires 1h]`: it prints a
// development bearer token signed with the service's own configuration (config.Load: the
// environment, then .env), carrying `sub` (default dev), the roles as a JSON array under the
// claim JWT_ROLES_CLAIM names (default admin, who may do everything; -roles "" may only read),
// `iat` and `exp` (default an hour from now). The same command in every Visiobook backend: the
// token alone on stdout; a bad option or configuration is one line on stderr and exit status 2.
func DevToken(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("dev-token", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	subject := flags.String("sub", "dev", "the token's subject")
	roles := flags.String("roles", "admin", "the token's roles, comma-separated: editor,admin")
	expires := flags.String("expires", "1h", "the token's lifetime: 500ms, 5s, 30m, 1h, 7d")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			_, _ = fmt.Fprintln(stdout, DevTokenUsage)
			return 0
		}
		_, _ = fmt.Fprintln(stderr, "dev-token:", err)
		return 2
	}
	lifetime, err := config.ParseDuration(*expires)
	if err != nil {
		err = fmt.Errorf("-expires %w", err)
	}
	switch {
	case flags.NArg() > 0:
		err = fmt.Errorf("unexpected argument %q", flags.Arg(0))
	case *subject == "":
		err = errors.New("-sub must not be empty")
	case err == nil && lifetime <= 0:
		err = errors.New("-expires must be more than 0")
	}
	if err != nil {
		_, _ = fmt.Fprintln(stderr, "dev-token:", err)
		return 2
	}
	cfg, err := config.Load()
	if err != nil {
		_, _ = fmt.Fprintln(stderr, err)
		return 2
	}
	token, err := utils.CreateAccessToken(*subject, cfg.JWTSecret, lifetime, cfg.JWTRolesClaim, roleNames(*roles))
	if err != nil {
		_, _ = fmt.Fprintln(stderr, "dev-token:", err)
		return 1
	}
	_, _ = fmt.Fprintln(stdout, token)
	return 0
}

// roleNames reads -roles: names separated by commas, each trimmed, the empty ones dropped (so ""
// is no role at all).
func roleNames(list string) []string {
	names := []string{}
	for name := range strings.SplitSeq(list, ",") {
		if name = strings.TrimSpace(name); name != "" {
			names = append(names, name)
		}
	}
	return names
}
