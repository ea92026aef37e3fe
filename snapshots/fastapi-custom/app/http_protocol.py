"""The HTTP/1.1 protocol the API is served with: uvicorn's httptools one, with a limit on the
request line and headers (16 KiB, as every Visiobook backend). Neither httptools nor uvicorn
has one: they would take headers of any size (h11's `h11_max_incomplete_event_size` bounds only
what arrives in pieces). Over the limit, the answer is a bare 431 and the connection is closed,
before the request reaches the app.
"""

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_HEADER_BYTES = 16 * 1024
# The bytes a request line or a header line has besides its parts: `GET ` and ` HTTP/1.1`,
# `: `, and the line's CRLF.
REQUEST_LINE_EXTRA = len("OPTIONS  HTTP/1.1\r\n")
HEADER_LINE_EXTRA = len(": \r\n")
TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-length: 0\r\n"
    b"connection: close\r\n"
    b"\r\n"
)


class HeadersTooLargeError(Exception):
    """The request line and headers passed MAX_HEADER_BYTES."""


class BoundedHeadersProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, refusing a request whose request line and headers are
    larger than MAX_HEADER_BYTES with a bare 431."""

    header_bytes = 0
    headers_too_large = False

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.header_bytes = REQUEST_LINE_EXTRA

    def on_url(self, url: bytes) -> None:
        self.count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self.count(len(name) + len(value) + HEADER_LINE_EXTRA)
        super().on_header(name, value)

    def count(self, size: int) -> None:
        self.header_bytes += size
        if self.header_bytes > MAX_HEADER_BYTES:
            self.headers_too_large = True
            # httptools stops parsing, and uvicorn answers the parser's error (below).
            raise HeadersTooLargeError

    def send_400_response(self, msg: str) -> None:
        if not self.headers_too_large:
            super().send_400_response(msg)
            return
        self.transport.write(TOO_LARGE)
        self.transport.close()
