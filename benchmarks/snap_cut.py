"""The names tshark reads in packets that the capture's snapshot length cut (for
``compare_names.py``'s ``snap-cut`` class): tshark prints what it captured of a name cut there
(``10.99.0.`` of a Host header), which no client sent.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

SNAP_CUT_FIELDS = {"http_host": "http.host", "dns": "dns.qry.name", "tls_sni": "tls.handshake.extensions_server_name"}


def names_cut_by_snap_length(path: Path) -> dict[str, set[str]]:
    """The names tshark reads in packets captured shorter than they were, where the name's bytes
    end the captured TCP or UDP payload (cut inside the name, or just after it)."""
    fields = ["-e", "tcp.payload", "-e", "udp.payload", *(a for f in SNAP_CUT_FIELDS.values() for a in ("-e", f))]
    run = subprocess.run(["tshark", "-n", "-r", str(path), "--enable-heuristic", "http_tcp", "-Y",
                          "frame.cap_len < frame.len", "-T", "fields", *fields, "-E", "occurrence=a",
                          "-E", "aggregator=,", "-E", "separator=/t"], capture_output=True, text=True, timeout=120)
    cut: dict[str, set[str]] = {key: set() for key in SNAP_CUT_FIELDS}
    for line in run.stdout.splitlines():
        cols = line.split("\t")
        if len(cols) < 2 + len(SNAP_CUT_FIELDS):
            continue
        payload = bytes.fromhex((cols[0] or cols[1]).split(",")[-1].replace(":", "")).lower()
        for key, value in zip(SNAP_CUT_FIELDS, cols[2:], strict=False):
            for name in value.split(","):
                if name and payload.endswith(name.lower().encode()):
                    cut[key].add(name.lower())
    return cut
