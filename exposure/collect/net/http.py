"""HTTP/1.x requests: the Host header of each request at the start of a TCP segment.

Like Wireshark, requests are recognised on the usual HTTP ports by their method, and on
any other TCP port when the request line ends in ``HTTP/1.0`` or ``HTTP/1.1``.
"""

from __future__ import annotations

import re

HTTP_PORTS = frozenset({80, 3128, 3132, 5985, 8080, 8088, 11371, 1900, 2869, 2710})
METHODS = frozenset(
    b"GET PUT POST HEAD MOVE COPY LOCK MKCOL TRACE PATCH DELETE UNLOCK OPTIONS CONNECT PROPFIND "
    b"PROPPATCH SEARCH REPORT CHECKIN CHECKOUT UNCHECKOUT LABEL MERGE UPDATE ACL BIND REBIND UNBIND "
    b"MKACTIVITY MKWORKSPACE VERSION-CONTROL BASELINE-CONTROL NOTIFY POLL SUBSCRIBE UNSUBSCRIBE "
    b"ORDERPATCH MKREDIRECTREF UPDATEREDIRECTREF MKCALENDAR BMOVE BCOPY BDELETE BPROPFIND BPROPPATCH "
    b"SSTP_DUPLEX_POST".split())
MAX_HEADERS = 16 * 1024
_METHOD = re.compile(rb"([A-Z][A-Z_-]{2,19}) ")
_HEADERS_END = re.compile(rb"\r?\n\r?\n")
_LINE = re.compile(rb"\r\n|\r|\n")


def request_start(payload: bytes, server_port: int) -> bool:
    """Whether a segment starts an HTTP request Wireshark would dissect."""
    m = _METHOD.match(payload)
    if m is None or m.group(1) not in METHODS:
        return False
    if server_port in HTTP_PORTS:
        return True
    line_end = _LINE.search(payload)
    line = payload[:line_end.start()] if line_end else payload
    return line.endswith((b"HTTP/1.0", b"HTTP/1.1")) or (line_end is None and len(payload) < MAX_HEADERS)


def request_hosts(data: bytes) -> tuple[list[str], bool]:
    """Host header values of the request(s) in ``data`` and whether the headers are complete."""
    end = _HEADERS_END.search(data)
    complete = end is not None
    head = data[:end.start()] if end else data
    lines = _LINE.split(head)
    if not complete:
        lines = lines[:-1]  # the last line may continue in the next segment
    hosts: list[str] = []
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if sep and name.lower() == b"host":
            hosts.append(value.strip(b" \t").decode("utf-8", "replace"))
    return hosts, complete
