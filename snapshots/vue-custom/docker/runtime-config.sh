#!/bin/sh
# Entry point of the production image. The same image runs in every environment (guidelines
# 1.3), so what differs is read here, at container start: this script writes the app's runtime
# configuration (/config.js) and the nginx configuration, then replaces itself with nginx.
#
# Environment (defaults are the image's):
#   PORT            port to listen on (required; the image sets the project's port)
#   VITE_API_URL    the API's base URL handed to the app, e.g. https://api.example.com; its
#                   origin is added to the Content-Security-Policy's connect-src. Empty or unset:
#                   the app calls its own origin. A path such as /api also means its own origin.
#   VITE_WEB_VITALS_URL
#                   where the app sends its web vitals (LCP, INP, CLS, FCP, TTFB: one JSON
#                   object a measure, by navigator.sendBeacon), e.g. https://rum.example.com/vitals;
#                   its origin is added to connect-src too. Empty or unset: nothing is sent.
#   LISTEN_ADDRESS  IPv4 address to listen on (default 0.0.0.0)
#   STATUS_PORT     port of nginx's stub_status, on 127.0.0.1 only, which the chart's nginx
#                   exporter sidecar reads (default 8081)
#   STATIC_ROOT     the built app, Vite's dist/ (default /usr/share/nginx/html)
#   RUNTIME_DIR     writable folder for config.js, nginx.conf, the pid and nginx's temporary
#                   files (default /tmp/nginx; /tmp is the pod's writable emptyDir)
# The nginx template is read from this script's folder.
set -eu

# Startup messages as JSON lines on stderr, like the rest of the logs. Messages are fixed texts
# (or values already checked to hold no quote or backslash), so they need no escaping.
log() {
    printf '{"timestamp":"%s","level":"%s","message":"%s"}\n' \
        "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$1" "$2" >&2
}
die() {
    log error "$1"
    exit 1
}

LISTEN_ADDRESS="${LISTEN_ADDRESS:-0.0.0.0}"
STATIC_ROOT="${STATIC_ROOT:-/usr/share/nginx/html}"
RUNTIME_DIR="${RUNTIME_DIR:-/tmp/nginx}"
VITE_API_URL="${VITE_API_URL:-}"
VITE_WEB_VITALS_URL="${VITE_WEB_VITALS_URL:-}"
PORT="${PORT:-}"
STATUS_PORT="${STATUS_PORT:-8081}"
TEMPLATE="$(dirname "$0")/nginx.conf.template"

# Every value below ends up in the nginx configuration through sed, so each is restricted to
# characters that mean nothing to sed (no |, & or \) nor to nginx (no quote, ; or space).
for port in "$PORT" "$STATUS_PORT"; do
    case "$port" in
        "" | *[!0-9]*) die "PORT and STATUS_PORT must be port numbers" ;;
    esac
    if [ "${#port}" -gt 5 ] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
        die "PORT and STATUS_PORT must be between 1 and 65535"
    fi
done
if [ "$PORT" -eq "$STATUS_PORT" ]; then
    die "PORT must not be STATUS_PORT, nginx's status port"
fi
case "$LISTEN_ADDRESS" in
    "" | *[!0-9.]*) die "LISTEN_ADDRESS must be an IPv4 address" ;;
esac
for path in "$STATIC_ROOT" "$RUNTIME_DIR"; do
    case "$path" in
        /*) ;;
        *) die "STATIC_ROOT and RUNTIME_DIR must be absolute paths" ;;
    esac
    case "$path" in
        *[![:alnum:]._/-]*)
            die "STATIC_ROOT and RUNTIME_DIR may hold only letters, digits and ._/-"
            ;;
    esac
done

# The URLs reach the app as JSON strings, so backslashes and quotes are escaped.
json_string() {
    printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'
}

# Checks a URL setting (named $1, valued $2) and prints its origin for the CSP's connect-src:
# nothing for an empty value or a path such as /api (the app's own origin). Control characters
# (a newline, say) have no business in a URL and are refused.
origin_of() {
    case "$2" in
        *[[:cntrl:]]*) die "$1 must not contain control characters" ;;
    esac
    case "$2" in
        "" | /*) ;;
        http://* | https://*)
            rest="${2#*://}"
            authority="${rest%%[/?#]*}"
            # host, host:port or [IPv6]:port; no user@ part, no quote that could end the header.
            case "$authority" in
                "" | *[![:alnum:].:\[\]-]*) die "$1 has an invalid host" ;;
            esac
            printf '%s' "${2%%://*}://$authority"
            ;;
        *) die "$1 must be an http(s) URL or a path starting with /" ;;
    esac
}

api_origin=$(origin_of VITE_API_URL "$VITE_API_URL") || exit 1
vitals_origin=$(origin_of VITE_WEB_VITALS_URL "$VITE_WEB_VITALS_URL") || exit 1

# The CSP's connect-src: the app's own origin, plus each other origin the app sends to.
connect_src="'self'"
if [ -n "$api_origin" ]; then
    connect_src="$connect_src $api_origin"
fi
if [ -n "$vitals_origin" ] && [ "$vitals_origin" != "$api_origin" ]; then
    connect_src="$connect_src $vitals_origin"
fi

[ -r "$TEMPLATE" ] || die "nginx template not found next to runtime-config.sh"
mkdir -p "$RUNTIME_DIR"

# Written to a temporary name, then renamed: /ready never sees half a file.
printf 'window.__APP_CONFIG__ = {"apiUrl": "%s", "webVitalsUrl": "%s"};\n' \
    "$(json_string "$VITE_API_URL")" "$(json_string "$VITE_WEB_VITALS_URL")" \
    >"$RUNTIME_DIR/config.js.tmp"
mv -f "$RUNTIME_DIR/config.js.tmp" "$RUNTIME_DIR/config.js"

sed -e "s|__LISTEN__|$LISTEN_ADDRESS:$PORT|g" \
    -e "s|__STATIC_ROOT__|$STATIC_ROOT|g" \
    -e "s|__RUNTIME_DIR__|$RUNTIME_DIR|g" \
    -e "s|__CONNECT_SRC__|$connect_src|g" \
    -e "s|__STATUS_PORT__|$STATUS_PORT|g" \
    "$TEMPLATE" >"$RUNTIME_DIR/nginx.conf"

log info "starting nginx on port $PORT, connect-src $connect_src"
# exec: nginx becomes PID 1 and receives the stop signal itself (SIGQUIT: graceful, SIGTERM:
# fast). -e: errors before the configuration is read go to stderr, not to a compiled-in file.
exec nginx -e stderr -c "$RUNTIME_DIR/nginx.conf" -g 'daemon off;'
