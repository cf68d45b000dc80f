"""DNS carried in cleartext HTTP/2 (h2c): the DNS-over-HTTPS requests a client sends without TLS.

A client direction that starts with the HTTP/2 connection preface is read frame by frame:
HEADERS (and CONTINUATION) blocks are decoded with HPACK (the ``hpack`` library; its
dynamic table is per direction, so every block of the direction is decoded in order), and
for each HTTP/2 stream the request's method, ``:path`` and ``content-type`` are kept. A
POST of ``application/dns-message`` yields its DATA as one DNS message; a GET with
``?dns=`` yields the decoded parameter (RFC 8484). Encrypted DoH (HTTP/2 inside TLS) stays
invisible, as it is to every passive tool.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hpack import Decoder
from hpack.exceptions import HPACKError

from exposure.collect.net.http import DNS_MESSAGE, dns_param

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
FRAME_HEADER = 9
DATA, HEADERS, CONTINUATION = 0, 1, 9
END_STREAM, END_HEADERS, PADDED, PRIORITY = 0x1, 0x4, 0x8, 0x20
MAX_STREAMS = 64  # HTTP/2 streams followed per connection direction
MAX_BODIES = 16 * 1024  # bytes of unfinished request bodies kept per direction (DoH messages are < 1 KB)
MAX_HEADER_LIST = 16 * 1024


def starts_preface(payload: bytes) -> bool:
    """Whether a segment is (the start of) the HTTP/2 client connection preface."""
    n = min(len(payload), len(PREFACE))
    return n >= 3 and payload[:n] == PREFACE[:n]


@dataclass(slots=True)
class _Request:
    method: bytes = b""
    path: bytes = b""
    content_type: bytes = b""
    body: bytearray = field(default_factory=bytearray)


class H2Reader:
    """The client direction of one cleartext HTTP/2 connection, fed its bytes in order."""

    def __init__(self) -> None:
        self._decoder = Decoder()
        self._decoder.max_header_list_size = MAX_HEADER_LIST
        self._requests: dict[int, _Request] = {}
        self._block = bytearray()  # a header block continued in CONTINUATION frames
        self._block_stream = 0
        self._buffered = 0
        self.broken = False
        self.hosts: list[bytes] = []  # the :authority (or Host) of each request, until taken

    def read(self, data: bytes, start: int) -> tuple[list[bytes], int]:
        """DNS messages completed by the frames in ``data[start:]`` and the offset after the last
        whole frame (``start`` includes the preface when it is at the beginning)."""
        messages: list[bytes] = []
        pos = start
        n = len(data)
        while not self.broken and pos + FRAME_HEADER <= n:
            length = int.from_bytes(data[pos:pos + 3], "big")
            ftype, flags = data[pos + 3], data[pos + 4]
            stream = int.from_bytes(data[pos + 5:pos + 9], "big") & 0x7FFFFFFF
            if pos + FRAME_HEADER + length > n:
                break
            payload = data[pos + FRAME_HEADER:pos + FRAME_HEADER + length]
            pos += FRAME_HEADER + length
            if ftype == HEADERS or ftype == CONTINUATION:
                self._headers(ftype, flags, stream, payload, messages)
            elif ftype == DATA and stream in self._requests:
                self._data(flags, stream, payload, messages)
        return messages, pos

    def _headers(self, ftype: int, flags: int, stream: int, payload: bytes, messages: list[bytes]) -> None:
        if not self._gather(ftype, flags, stream, payload) or not flags & END_HEADERS:
            return
        try:
            headers = self._decoder.decode(bytes(self._block), raw=True)
        except (HPACKError, ValueError, IndexError):
            self.broken = True  # the dynamic table is lost: later blocks cannot be read
            return
        self._block = bytearray()
        request = _Request()
        for name, value in headers:
            if name == b":method":
                request.method = value
            elif name == b":path":
                request.path = value
            elif name == b"content-type":
                request.content_type = value.split(b";", 1)[0].strip().lower()
            elif (name == b":authority" or name == b"host") and len(self.hosts) < MAX_STREAMS:
                self.hosts.append(value)
        if request.method == b"GET":
            message = dns_param(request.path)
            if message:
                messages.append(message)
        elif request.method == b"POST" and request.content_type == DNS_MESSAGE:
            if len(self._requests) >= MAX_STREAMS:
                self._buffered -= len(self._requests.pop(next(iter(self._requests))).body)
            self._requests[stream] = request
            if flags & END_STREAM:
                self._requests.pop(stream, None)

    def _gather(self, ftype: int, flags: int, stream: int, payload: bytes) -> bool:
        """Add a HEADERS or CONTINUATION frame to the header block; False if the connection is broken."""
        if ftype == HEADERS:
            if flags & PADDED:
                if not payload or payload[0] >= len(payload):
                    self.broken = True
                    return False
                payload = payload[1:len(payload) - payload[0]]
            if flags & PRIORITY:
                payload = payload[5:]
            self._block = bytearray(payload)
            self._block_stream = stream
        elif stream == self._block_stream and len(self._block) < MAX_HEADER_LIST:
            self._block += payload
        else:
            self.broken = True
            return False
        return True

    def _data(self, flags: int, stream: int, payload: bytes, messages: list[bytes]) -> None:
        request = self._requests[stream]
        if flags & PADDED:
            if not payload or payload[0] >= len(payload):
                self._buffered -= len(self._requests.pop(stream).body)
                return
            payload = payload[1:len(payload) - payload[0]]
        kept = payload[:max(MAX_BODIES - self._buffered, 0)]
        request.body += kept
        self._buffered += len(kept)
        if flags & END_STREAM:
            del self._requests[stream]
            self._buffered -= len(request.body)
            if request.body:
                messages.append(bytes(request.body))
