// Package config reads the service's configuration from the environment (Visiobook guidelines
// 1.3) once, at start-up, and refuses to start with a bad value. For local runs it also reads
// .env from the working directory when there is one; a variable set in the environment wins.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/viper"
)

// Config is every setting of the service; the mapstructure tag is the variable's name.
type Config struct {
	ServiceName         string        `mapstructure:"SERVICE_NAME" validate:"required"`
	ServiceVersion      string        `mapstructure:"SERVICE_VERSION" validate:"required"`
	Port                int           `mapstructure:"PORT" validate:"min=1,max=65535"`
	PrometheusPort      int           `mapstructure:"PROMETHEUS_PORT" validate:"min=1,max=65535,nefield=Port"`
	Environment         string        `mapstructure:"NODE_ENV" validate:"oneof=development test staging production"`
	DatabaseURL         string        `mapstructure:"DATABASE_URL" validate:"required,postgres_url"`
	DBPoolSize          int32         `mapstructure:"DB_POOL_SIZE" validate:"min=1"`
	DBConnectTimeout    time.Duration `mapstructure:"DB_CONNECT_TIMEOUT" validate:"gt=0"`
	JWTSecret           string        `mapstructure:"JWT_SECRET" validate:"min=32"`
	JWTExpiresIn        time.Duration `mapstructure:"JWT_EXPIRES_IN" validate:"gt=0"`
	JWTRolesClaim       string        `mapstructure:"JWT_ROLES_CLAIM" validate:"required"`
	LogLevel            string        `mapstructure:"LOG_LEVEL" validate:"oneof=debug info warn error"`
	CorrelationIDHeader string        `mapstructure:"CORRELATION_ID_HEADER" validate:"required"`
	CORSOrigins         []string      `mapstructure:"CORS_ORIGINS"`
	RequestBodyMaxBytes int64         `mapstructure:"REQUEST_BODY_MAX_BYTES" validate:"min=1"`
	ShutdownTimeout     time.Duration `mapstructure:"SHUTDOWN_TIMEOUT" validate:"gt=0"`
	// An identity provider's key set (its jwks_uri): its RS256 and ES256 tokens are accepted
	// too, when their iss is JWT_ISSUER and their aud holds JWT_AUDIENCE. Empty: none, and the
	// other two are not read.
	JWTJWKSURL  string `mapstructure:"JWT_JWKS_URL"`
	JWTIssuer   string `mapstructure:"JWT_ISSUER"`
	JWTAudience string `mapstructure:"JWT_AUDIENCE"`
	// An /api/v1 request not answered within REQUEST_TIMEOUT is answered 503 (and its database
	// statement cancelled); one more than MAX_CONCURRENT_REQUESTS in progress is answered 503 at
	// once.
	RequestTimeout        time.Duration `mapstructure:"REQUEST_TIMEOUT" validate:"gt=0"`
	MaxConcurrentRequests int           `mapstructure:"MAX_CONCURRENT_REQUESTS" validate:"min=1"`
	// A client's budget: RATE_LIMIT_REQUESTS per RATE_LIMIT_WINDOW (0 requests: no limit, for a
	// service behind a gateway that limits already). The window is whole seconds, since the
	// RateLimit headers speak in seconds.
	RateLimitRequests int64         `mapstructure:"RATE_LIMIT_REQUESTS" validate:"min=0"`
	RateLimitWindow   time.Duration `mapstructure:"RATE_LIMIT_WINDOW" validate:"gt=0,whole_seconds"`
	// The proxies (IP addresses or CIDR ranges) whose X-Forwarded-For names the client; none by
	// default: the connection's peer is the client.
	TrustedProxies []string `mapstructure:"TRUSTED_PROXIES"`
	// The services /health reports and those the service cannot work without; Load checks
	// them and fills ExternalServices.
	ExternalServiceNames         []string `mapstructure:"EXTERNAL_SERVICES"`
	RequiredExternalServiceNames []string `mapstructure:"REQUIRED_EXTERNAL_SERVICES"`
	// ExternalServices are the services EXTERNAL_SERVICES names, in its order, each once.
	ExternalServices []ExternalService `mapstructure:"-"`
}

// ExternalService is another service this one calls, checked by /health at URL + "/health".
type ExternalService struct {
	Name string
	// URL is the value of the service's <NAME>_URL variable, without trailing slashes.
	URL string
	// Required: /health and /ready answer 503 while it is unhealthy.
	Required bool
}

var defaults = map[string]any{
	"SERVICE_NAME":            "media-service",
	"SERVICE_VERSION":         "0.1.0",
	"PORT":                    8080,
	"PROMETHEUS_PORT":         9090,
	"NODE_ENV":                "development",
	"DATABASE_URL":            "",
	"DB_POOL_SIZE":            10,
	"DB_CONNECT_TIMEOUT":      "5s",
	"JWT_SECRET":              "",
	"JWT_EXPIRES_IN":          "24h",
	"JWT_ROLES_CLAIM":         "roles",
	"JWT_JWKS_URL":            "",
	"JWT_ISSUER":              "",
	"JWT_AUDIENCE":            "",
	"LOG_LEVEL":               "info",
	"CORRELATION_ID_HEADER":   "x-correlation-id",
	"CORS_ORIGINS":            "",
	"REQUEST_BODY_MAX_BYTES":  1 << 20,
	"RATE_LIMIT_REQUESTS":     6000,
	"RATE_LIMIT_WINDOW":       "1m",
	"TRUSTED_PROXIES":         "",
	"REQUEST_TIMEOUT":         "5s",
	"MAX_CONCURRENT_REQUESTS": 100,
	"SHUTDOWN_TIMEOUT":        "10s",
	// Comma-separated service names; none by default.
	"EXTERNAL_SERVICES":          "",
	"REQUIRED_EXTERNAL_SERVICES": "",
}

// dotEnvFile is read, when it exists, from the working directory: the same rule as the FastAPI
// and Node services. Production has none; its variables come from the environment.
const dotEnvFile = ".env"

// Load reads the environment, then .env for the variables the environment does not set; the
// error names every bad variable on one line.
func Load() (Config, error) {
	settings := viper.New()
	for name, value := range defaults {
		settings.SetDefault(name, value)
	}
	settings.AutomaticEnv()
	if err := readDotEnv(settings); err != nil {
		return Config{}, err
	}

	// A number or a duration that does not read is said per variable, as every backend says it,
	// rather than in the decoder's words.
	if problems := unreadable(settings); len(problems) > 0 {
		return Config{}, fmt.Errorf("invalid configuration: %s", strings.Join(problems, "; "))
	}
	var config Config
	hooks := viper.DecodeHook(mapstructure.ComposeDecodeHookFunc(decodeDuration, decodeList))
	if err := settings.Unmarshal(&config, hooks); err != nil {
		return Config{}, fmt.Errorf("invalid configuration: %s", strings.ReplaceAll(err.Error(), "\n", " "))
	}
	config.LogLevel = strings.ToLower(config.LogLevel)
	// viper takes a variable set to empty for unset (its default applies). JWT_ROLES_CLAIM set to
	// empty is refused instead, as the mistake it is: no token names its roles so, and every
	// write would be 403.
	if claim, set := os.LookupEnv("JWT_ROLES_CLAIM"); set && claim == "" {
		config.JWTRolesClaim = ""
	}
	problems := describe(check.Struct(config))
	var externalProblems []string
	config.ExternalServices, externalProblems = externalServices(settings, config)
	problems = append(problems, externalProblems...)
	problems = append(problems, proxyProblems(config.TrustedProxies)...)
	problems = append(problems, identityProviderProblems(&config)...)
	if len(problems) > 0 {
		return Config{}, fmt.Errorf("invalid configuration: %s", strings.Join(problems, "; "))
	}
	return config, nil
}

// serviceName is what EXTERNAL_SERVICES may list: lower-case letters, digits and single hyphens,
// as a Kubernetes Service name.
var serviceName = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// urlVariable is the variable holding a service's base URL: storage-service is
// STORAGE_SERVICE_URL.
func urlVariable(service string) string {
	return strings.ToUpper(strings.ReplaceAll(service, "-", "_")) + "_URL"
}

// externalServices resolves the names of EXTERNAL_SERVICES to their URLs, read from the
// environment or .env as every other variable, and returns the mistakes, one per problem.
func externalServices(settings *viper.Viper, config Config) ([]ExternalService, []string) {
	var problems []string
	required := map[string]bool{}
	for _, name := range config.RequiredExternalServiceNames {
		required[name] = true
	}
	listed := map[string]bool{}
	services := []ExternalService{}
	for _, name := range config.ExternalServiceNames {
		if listed[name] {
			continue // listed twice, counted once
		}
		listed[name] = true
		if !serviceName.MatchString(name) {
			problems = append(problems, fmt.Sprintf(
				"EXTERNAL_SERVICES has '%s', not a service name (lower-case letters, digits and hyphens)", name))
			continue
		}
		variable := urlVariable(name)
		address := settings.GetString(variable)
		if address == "" {
			problems = append(problems, fmt.Sprintf("EXTERNAL_SERVICES names '%s', so %s must be set", name, variable))
			continue
		}
		if !isHTTPURL(address) {
			problems = append(problems, variable+" must be an http or https URL")
			continue
		}
		services = append(services, ExternalService{
			Name:     name,
			URL:      strings.TrimRight(address, "/"),
			Required: required[name],
		})
	}
	reported := map[string]bool{}
	for _, name := range config.RequiredExternalServiceNames {
		if !listed[name] && !reported[name] {
			reported[name] = true
			problems = append(problems, fmt.Sprintf(
				"REQUIRED_EXTERNAL_SERVICES names '%s', which EXTERNAL_SERVICES does not list", name))
		}
	}
	return services, problems
}

// proxyProblems names each entry of TRUSTED_PROXIES that is neither an IP address nor a CIDR
// range (IPv4 or IPv6), as gin's SetTrustedProxies reads them.
func proxyProblems(proxies []string) []string {
	var problems []string
	for _, proxy := range proxies {
		_, _, rangeErr := net.ParseCIDR(proxy)
		if net.ParseIP(proxy) == nil && rangeErr != nil {
			problems = append(problems, fmt.Sprintf("TRUSTED_PROXIES has '%s', not an IP address or CIDR range", proxy))
		}
	}
	return problems
}

// identityProviderProblems checks the identity provider's settings when JWT_JWKS_URL names
// one; without it, JWT_ISSUER and JWT_AUDIENCE are not read (and cleared).
func identityProviderProblems(config *Config) []string {
	if config.JWTJWKSURL == "" {
		config.JWTIssuer, config.JWTAudience = "", ""
		return nil
	}
	var problems []string
	if !isHTTPURL(config.JWTJWKSURL) {
		problems = append(problems, "JWT_JWKS_URL must be an http or https URL")
	}
	// A provider signs tokens for every application it serves: without both, a token it issued
	// to another would do here.
	if config.JWTIssuer == "" {
		problems = append(problems, "JWT_ISSUER is required when JWT_JWKS_URL is set")
	}
	if config.JWTAudience == "" {
		problems = append(problems, "JWT_AUDIENCE is required when JWT_JWKS_URL is set")
	}
	return problems
}

// isHTTPURL is true for an absolute http or https URL with a host.
func isHTTPURL(address string) bool {
	parsed, err := url.Parse(address)
	return err == nil && (parsed.Scheme == "http" || parsed.Scheme == "https") && parsed.Host != ""
}

// readDotEnv gives settings the variables of dotEnvFile that the environment does not set (even
// to an empty value), as Node's process.loadEnvFile and pydantic-settings do. No file, no change.
func readDotEnv(settings *viper.Viper) error {
	file := viper.New()
	file.SetConfigFile(dotEnvFile)
	file.SetConfigType("env")
	if err := file.ReadInConfig(); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("invalid configuration: %s: %s", dotEnvFile, strings.ReplaceAll(err.Error(), "\n", " "))
	}
	for _, key := range file.AllKeys() { // viper gives the names in lower case
		if _, set := os.LookupEnv(strings.ToUpper(key)); !set {
			settings.Set(key, file.Get(key))
		}
	}
	return nil
}

// Durations are written the same way in every Visiobook backend: a whole number with a unit,
// ms, s, m, h or d (500ms, 5s, 24h, 7d); a bare number is seconds. time.ParseDuration knows no d.
var durationSyntax = regexp.MustCompile(`^([0-9]+)(ms|s|m|h|d)?$`)

var durationUnits = map[string]time.Duration{
	"ms": time.Millisecond,
	"":   time.Second,
	"s":  time.Second,
	"m":  time.Minute,
	"h":  time.Hour,
	"d":  24 * time.Hour,
}

// errNotADuration is the words of every backend for a duration that does not read.
var errNotADuration = errors.New("must be a duration such as 500ms, 5s, 24h or 7d")

// ParseDuration reads a duration in the syntax above.
func ParseDuration(text string) (time.Duration, error) {
	parts := durationSyntax.FindStringSubmatch(strings.TrimSpace(text))
	if parts == nil {
		return 0, errNotADuration
	}
	count, err := strconv.ParseInt(parts[1], 10, 64)
	unit := durationUnits[parts[2]]
	if err != nil || count > math.MaxInt64/int64(unit) {
		return 0, errors.New("must be a shorter duration")
	}
	return time.Duration(count) * unit, nil
}

// unreadable names each variable whose text is not the whole number or the duration its field
// holds, e.g. "DB_POOL_SIZE must be a whole number".
func unreadable(settings *viper.Viper) []string {
	var problems []string
	fields := reflect.TypeFor[Config]()
	for index := range fields.NumField() {
		field := fields.Field(index)
		name := field.Tag.Get("mapstructure")
		text, isText := settings.Get(name).(string) // defaults are numbers, the environment text
		if !isText || name == "-" {
			continue
		}
		switch {
		case field.Type == reflect.TypeFor[time.Duration]():
			if _, err := ParseDuration(text); err != nil {
				problems = append(problems, name+" "+err.Error())
			}
		case field.Type.Kind() >= reflect.Int && field.Type.Kind() <= reflect.Int64:
			if _, err := strconv.ParseInt(strings.TrimSpace(text), 10, field.Type.Bits()); err != nil {
				problems = append(problems, name+" must be a whole number")
			}
		}
	}
	return problems
}

func decodeDuration(from, to reflect.Type, data any) (any, error) {
	if to != reflect.TypeFor[time.Duration]() || from.Kind() != reflect.String {
		return data, nil
	}
	return ParseDuration(data.(string))
}

// decodeList splits a comma-separated variable (CORS_ORIGINS, EXTERNAL_SERVICES...), trims the
// spaces around each entry and drops the empty ones.
func decodeList(from, to reflect.Type, data any) (any, error) {
	if to != reflect.TypeFor[[]string]() || from.Kind() != reflect.String {
		return data, nil
	}
	items := []string{}
	for item := range strings.SplitSeq(data.(string), ",") {
		if item = strings.TrimSpace(item); item != "" {
			items = append(items, item)
		}
	}
	return items, nil
}

var check = newValidator()

func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(field reflect.StructField) string {
		return field.Tag.Get("mapstructure")
	})
	_ = v.RegisterValidation("postgres_url", func(field validator.FieldLevel) bool {
		url := field.Field().String()
		return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
	})
	_ = v.RegisterValidation("whole_seconds", func(field validator.FieldLevel) bool {
		return time.Duration(field.Field().Int())%time.Second == 0
	})
	return v
}

// describe turns validation errors into problems, e.g. "JWT_SECRET must be at least 32
// characters"; Load writes them on one line. No error, no problem.
func describe(err error) []string {
	if err == nil {
		return nil
	}
	var failures validator.ValidationErrors
	if !errors.As(err, &failures) {
		return []string{err.Error()}
	}
	problems := make([]string, 0, len(failures))
	for _, failure := range failures {
		problems = append(problems, failure.Field()+" "+rule(failure))
	}
	return problems
}

// variable is the name of the variable that sets the Config field of this name.
func variable(field string) string {
	if found, ok := reflect.TypeFor[Config]().FieldByName(field); ok {
		return found.Tag.Get("mapstructure")
	}
	return field
}

func rule(failure validator.FieldError) string {
	switch failure.Tag() {
	case "required":
		if failure.Field() == "JWT_ROLES_CLAIM" { // set, but to nothing (Load)
			return "must not be empty"
		}
		return "is required"
	case "postgres_url":
		return "must be a postgresql:// URL"
	case "whole_seconds":
		return "must be a whole number of seconds"
	case "oneof":
		return "must be one of: " + failure.Param()
	case "gt":
		return "must be more than " + failure.Param()
	case "min":
		if failure.Kind() == reflect.String {
			return "must be at least " + failure.Param() + " characters"
		}
		return "must be at least " + failure.Param()
	case "max":
		return "must be at most " + failure.Param()
	case "nefield":
		return "must differ from " + variable(failure.Param())
	}
	return "is invalid (" + failure.Tag() + ")"
}
