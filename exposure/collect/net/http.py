"""HTTP/1.x requests: the Host header of each request, and DNS carried in clear over HTTP.

Like Wireshark, requests are recognised on the usual HTTP ports by their method, and on
any other TCP port when the request line ends in ``HTTP/1.0`` or ``HTTP/1.1``. A
DNS-over-HTTPS request sent without TLS (RFC 8484: a POST of ``application/dns-message``,
or a GET with ``?dns=``) carries a DNS message whose names count as DNS lookups.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from exposure.collect.net.wire_text import name_text

# Wireshark 4.0's HTTP ports (`tshark -G decodes`)
HTTP_PORTS = frozenset({80, 631, 1900, 2710, 2869, 3128, 3132, 3689, 5985, 8080, 8088, 11371})
METHODS = frozenset(
    b"GET PUT POST HEAD MOVE COPY LOCK MKCOL TRACE PATCH DELETE UNLOCK OPTIONS CONNECT PROPFIND "
    b"PROPPATCH SEARCH REPORT CHECKIN CHECKOUT UNCHECKOUT LABEL MERGE UPDATE ACL BIND REBIND UNBIND "
    b"MKACTIVITY MKWORKSPACE VERSION-CONTROL BASELINE-CONTROL NOTIFY POLL SUBSCRIBE UNSUBSCRIBE "
    b"ORDERPATCH MKREDIRECTREF UPDATEREDIRECTREF MKCALENDAR BMOVE BCOPY BDELETE BPROPFIND BPROPPATCH "
    b"SSTP_DUPLEX_POST".split())
MAX_HEADERS = 16 * 1024
_LONGEST_METHOD = max(map(len, METHODS))
_METHOD = re.compile(rb"([A-Z][A-Z_-]{2,19}) ")
_HEADERS_END = re.compile(rb"\r?\n\r?\n")
_LINE = re.compile(rb"\r\n|\r|\n")


def method_prefix(payload: bytes) -> bool:
    """Whether a short segment could be the first bytes of a request method (a request
    whose first segment holds only ``G`` or ``GE``: Wireshark reassembles those)."""
    return 0 < len(payload) <= _LONGEST_METHOD and any(m.startswith(payload) for m in METHODS)


def request_start(payload: bytes, server_port: int, client_port: int = 0) -> bool:
    """Whether a segment starts an HTTP request Wireshark would dissect (on a connection with
    a usual HTTP port on either side, or by its heuristic)."""
    m = _METHOD.match(payload)
    if m is None or m.group(1) not in METHODS:
        return False
    if server_port in HTTP_PORTS or client_port in HTTP_PORTS:
        return True
    # elsewhere Wireshark's heuristic wants the whole request line, ending in HTTP/1.x, at once
    line_end = _LINE.search(payload)
    return line_end is not None and payload[:line_end.start()].upper().endswith((b"HTTP/1.0", b"HTTP/1.1"))


def host_value(value: bytes) -> str:
    """A Host header's value as Wireshark's ``http.host`` holds it: up to a NUL byte, if any (a
    string field stops there, as a server written in C reads it), without surrounding blanks, written
    as every name is (``wire_text``: a byte outside printable ASCII as ``\\xNN``)."""
    return name_text(value.partition(b"\x00")[0].strip(b" \t"))


DNS_MESSAGE = b"application/dns-message"
MAX_DNS_PARAM = 8 * 1024  # a base64url DNS message in a URL; real ones are under 700 characters


@dataclass(slots=True)
class RequestHead:
    """The parts of one request's head that matter here."""

    hosts: list[str]
    complete: bool  # the empty line that ends the headers was seen
    end: int = 0  # offset just after the headers (when complete)
    method: bytes = b""
    target: bytes = b""
    content_type: bytes = b""
    content_length: int = 0

    @property
    def dns_body(self) -> bool:
        """A DNS-over-HTTPS POST in clear (RFC 8484): its body is one DNS message."""
        return self.method == b"POST" and self.content_type == DNS_MESSAGE and 0 < self.content_length <= 65_535


def request_head(data: bytes) -> RequestHead:
    """Read the head of the request at the start of ``data``: its request line and every whole
    header line (the last line of an unfinished head may continue in the next segment)."""
    end = _HEADERS_END.search(data)
    complete = end is not None
    head = data[:end.start()] if end else data
    lines = _LINE.split(head)
    if not complete:
        lines = lines[:-1]  # the last line may continue in the next segment
    out = RequestHead([], complete, end.end() if end else 0)
    if lines:
        parts = lines[0].split(b" ")
        if len(parts) >= 2:
            out.method, out.target = parts[0], parts[1]
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep:
            continue
        name = name.lower()
        if name == b"host":
            out.hosts.append(host_value(value))
        elif name == b"content-type":
            out.content_type = value.split(b";", 1)[0].strip(b" \t").lower()
        elif name == b"content-length":
            digits = value.strip(b" \t")
            if digits.isdigit() and len(digits) < 10:
                out.content_length = int(digits)
    return out


def dns_param(target: bytes) -> bytes | None:
    """The DNS message in a DNS-over-HTTPS GET (``?dns=`` base64url, RFC 8484), or None."""
    _, sep, query = target.partition(b"?")
    if not sep:
        return None
    for pair in query.split(b"&"):
        key, eq, value = pair.partition(b"=")
        if eq and key == b"dns" and 0 < len(value) <= MAX_DNS_PARAM:
            value = value.rstrip(b"=")
            try:
                return base64.urlsafe_b64decode(value + b"=" * (-len(value) % 4))
            except (ValueError, binascii.Error):
                return None
    return None
