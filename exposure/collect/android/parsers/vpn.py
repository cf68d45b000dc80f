"""``dumpsys connectivity``: which app owns an active VPN.

A connected VPN appears as a ``NetworkAgentInfo{...}`` line whose capabilities say
``Transports: VPN`` and name the app's uid as ``OwnerUid: N``. The always-on VPN app is a
setting (``settings secure always_on_vpn_app``), read with the other settings.
"""

from __future__ import annotations

import re

from exposure.collect.android.parsers.lines import lines

_OWNER = re.compile(r"OwnerUid: (\d+)")


def parse_vpn_owner_uids(text: str) -> list[int]:
    out: list[int] = []
    for line in lines(text):
        line = line.strip()
        if not line.startswith("NetworkAgentInfo") or "Transports: VPN" not in line:
            continue
        match = _OWNER.search(line)
        if match:
            uid = int(match.group(1))
            if uid not in out:
                out.append(uid)
    return out
