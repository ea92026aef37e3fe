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
#   LISTEN_ADDRESS  IPv4 address to listen on (default 0.0.0.0)
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
PORT="${PORT:-}"
TEMPLATE="$(dirname "$0")/nginx.conf.template"

# Every value below ends up in the nginx configuration through sed, so each is restricted to
# characters that mean nothing to sed (no |, & or \) nor to nginx (no quote, ; or space).
case "$PORT" in
    "" | *[!0-9]*) die "PORT must be a port number" ;;
esac
if [ "${#PORT}" -gt 5 ] || [ "$PORT" -lt 1 ] || [ "$PORT" -gt 65535 ]; then
    die "PORT must be between 1 and 65535"
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

# The API URL. It reaches the app as a JSON string, so backslashes and quotes are escaped;
# control characters (a newline, say) have no business in a URL and are refused.
case "$VITE_API_URL" in
    *[[:cntrl:]]*) die "VITE_API_URL must not contain control characters" ;;
esac
api_url_json=$(printf '%s' "$VITE_API_URL" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')

# The CSP's connect-src: the app's own origin, plus the API's origin when it is another one.
case "$VITE_API_URL" in
    "" | /*)
        connect_src="'self'"
        ;;
    http://* | https://*)
        scheme="${VITE_API_URL%%://*}"
        rest="${VITE_API_URL#*://}"
        authority="${rest%%[/?#]*}"
        # host, host:port or [IPv6]:port; no user@ part, no quote that could end the header.
        case "$authority" in
            "" | *[![:alnum:].:\[\]-]*) die "VITE_API_URL has an invalid host" ;;
        esac
        connect_src="'self' $scheme://$authority"
        ;;
    *)
        die "VITE_API_URL must be an http(s) URL or a path starting with /"
        ;;
esac

[ -r "$TEMPLATE" ] || die "nginx template not found next to runtime-config.sh"
mkdir -p "$RUNTIME_DIR"

# Written to a temporary name, then renamed: /ready never sees half a file.
printf 'window.__APP_CONFIG__ = {"apiUrl": "%s"};\n' "$api_url_json" >"$RUNTIME_DIR/config.js.tmp"
mv -f "$RUNTIME_DIR/config.js.tmp" "$RUNTIME_DIR/config.js"

sed -e "s|__LISTEN__|$LISTEN_ADDRESS:$PORT|g" \
    -e "s|__STATIC_ROOT__|$STATIC_ROOT|g" \
    -e "s|__RUNTIME_DIR__|$RUNTIME_DIR|g" \
    -e "s|__CONNECT_SRC__|$connect_src|g" \
    "$TEMPLATE" >"$RUNTIME_DIR/nginx.conf"

log info "starting nginx on port $PORT, connect-src $connect_src"
# exec: nginx becomes PID 1 and receives the stop signal itself (SIGQUIT: graceful, SIGTERM:
# fast). -e: errors before the configuration is read go to stderr, not to a compiled-in file.
exec nginx -e stderr -c "$RUNTIME_DIR/nginx.conf" -g 'daemon off;'
