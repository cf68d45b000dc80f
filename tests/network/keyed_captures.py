"""What the tests of captures that carry their own keys (TLS, TLS 0-RTT, WireGuard) share: what
tshark-names printed for each (stored beside it under ``expected/``), and an extractor run over one."""

from __future__ import annotations

import json

from exposure.collect.net.extract import Extractor
from exposure.collect.net.reader import open_capture
from tests.network.test_names_classes import DATA, TSHARK_KINDS


def tshark(capture: str) -> dict[str, list[str]]:
    """The names ``../shared/tools/tshark-names`` printed for ``capture`` (a file of ``DATA``)."""
    result: dict[str, list[str]] = json.loads((DATA / "expected" / capture.replace(".pcapng", ".json")).read_text())
    return result


def tshark_kinds(got: dict[str, list[str]]) -> dict[str, list[str]]:
    """``exposure names --json`` output cut to the kinds tshark-names prints."""
    return {kind: got[kind] for kind in TSHARK_KINDS}


def extract_with_keys(capture: str, frames: list[tuple[int, float, bytes]] | None = None) -> Extractor:
    """Names only, over ``capture``; with ``frames``, those instead of its packets, with its keys."""
    ex = Extractor(flows=False, certificates=False, observations=False)
    with open_capture(DATA / capture) as reader:
        if frames is None:
            ex.run(reader)
        else:
            for _ in reader.frames():
                pass
            ex.tcp.keys = reader.secrets
            ex.run(frames)
    ex.finish()
    return ex
