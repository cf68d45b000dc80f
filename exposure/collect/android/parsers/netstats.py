"""``dumpsys netstats --full --uid``: bytes each app sent and received, on screen or not,
bucket by bucket over the days the phone keeps (about a month on most phones).

Shape (AOSP ``NetworkStatsService.dump``, ``NetworkStatsRecorder.dumpLocked``,
``NetworkStatsCollection.dump``, ``NetworkStatsHistory.dump``)::

    UID stats:
      Pending bytes: 1234
      Complete history:                    ("History since boot:" without --full)
      ident=[{type=MOBILE, ratType=COMBINED, ...}] uid=10234 set=DEFAULT tag=0x0
        NetworkStatsHistory: bucketDuration=7200
          st=1643320800 rb=1024 rp=10 tb=52428800 tp=40000 op=0
    UID tag stats:
      ...

``set=FOREGROUND`` counts traffic while the app was in the foreground, ``set=DEFAULT``
while it was not; ``tag=0x0`` is the app's total (tagged rows are parts of it, skipped).
``st`` is the bucket's start in Unix seconds. A plain ``dumpsys netstats`` (as in an
androidqf ``dumpsys.txt``) has no ``UID stats:`` part at all: then nothing is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SECTION = re.compile(r"^\s*UID stats:\s*$", re.IGNORECASE)
_KEY = re.compile(r"\buid=(-?\d+) set=([A-Z_]+) tag=(0x[0-9a-fA-F]+)")
_BUCKET_SIZE = re.compile(r"bucketDuration=(\d+)")
_BUCKET = re.compile(r"^\s*st=(\d+)((?: [a-z]+=-?\d+)*)\s*$")
_FIELD = re.compile(r"([a-z]+)=(-?\d+)")


@dataclass(slots=True)
class UidTraffic:
    uid: int
    received_foreground: int = 0
    sent_foreground: int = 0
    received_background: int = 0
    sent_background: int = 0
    first: int | None = None  # Unix seconds: start of the first bucket
    last: int | None = None  # end of the last bucket

    @property
    def sent(self) -> int:
        return self.sent_foreground + self.sent_background

    @property
    def received(self) -> int:
        return self.received_foreground + self.received_background


def parse_netstats(text: str) -> dict[int, UidTraffic]:
    """Per-uid totals from the ``UID stats:`` part; {} when the dump has none."""
    out: dict[int, UidTraffic] = {}
    in_section = False
    current: UidTraffic | None = None
    background = False
    bucket = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            in_section = bool(_SECTION.match(line))
            current = None
            continue
        if not in_section:
            if _SECTION.match(line):  # some builds indent the section titles
                in_section = True
            continue
        if line.strip().endswith("stats:") and not line.lstrip().startswith("ident="):
            in_section = bool(_SECTION.match(line))
            current = None
            continue
        key = _KEY.search(line) if "ident=" in line else None
        if key is not None:
            current = None
            uid, which, tag = int(key.group(1)), key.group(2), int(key.group(3), 16)
            if tag == 0 and which in ("DEFAULT", "FOREGROUND") and uid >= 0:
                current = out.setdefault(uid, UidTraffic(uid))
                background = which == "DEFAULT"
            continue
        size = _BUCKET_SIZE.search(line)
        if size:
            bucket = int(size.group(1))
            continue
        match = _BUCKET.match(line)
        if match and current is not None:
            start = int(match.group(1))
            fields = {name: int(value) for name, value in _FIELD.findall(match.group(2))}
            rx, tx = max(fields.get("rb", 0), 0), max(fields.get("tb", 0), 0)
            if background:
                current.received_background += rx
                current.sent_background += tx
            else:
                current.received_foreground += rx
                current.sent_foreground += tx
            current.first = start if current.first is None else min(current.first, start)
            end = start + bucket
            current.last = end if current.last is None else max(current.last, end)
    return out
