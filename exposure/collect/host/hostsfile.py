"""Entries of the hosts file, which overrides DNS for the names it lists.

Every ``address name...`` line becomes one observation per name, except the usual
localhost lines. Which names matter (a bank, a mail service redirected elsewhere) is the
detector's business, not the collector's.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator

from exposure.collect.host.base import COLLECTOR, SOURCE, HostRun, read_system_file
from exposure.collect.host.limits import HOSTS_MAX_BYTES as MAX_BYTES
from exposure.collect.host.limits import HOSTS_MAX_ENTRIES as MAX_ENTRIES
from exposure.model import CheckNote
from exposure.observations.host import HostSetting

_NORMAL_NAMES = frozenset({
    "localhost", "localhost.localdomain", "localhost4", "localhost4.localdomain4", "localhost6",
    "localhost6.localdomain6", "broadcasthost", "ip6-localhost", "ip6-loopback", "ip6-localnet",
    "ip6-mcastprefix", "ip6-allnodes", "ip6-allrouters", "ip6-allhosts",
})


def hosts_path(run: HostRun) -> str:
    if run.platform == "win32":
        system_root = os.environ.get("SystemRoot", r"C:\Windows")
        return system_root + r"\System32\drivers\etc\hosts"
    return "/etc/hosts"


def parse(text: str, location: str, skip: frozenset[str] = frozenset()) -> tuple[list[HostSetting], int]:
    """The entries, and the number of lines that are not valid ``address name`` lines."""
    out: list[HostSetting] = []
    bad = 0
    for line in text.splitlines():
        body = line.split("#", 1)[0].strip()
        if not body:
            continue
        parts = body.split()
        try:
            address = str(ipaddress.ip_address(parts[0].split("%")[0]))
        except ValueError:
            bad += 1
            continue
        if len(parts) < 2:
            bad += 1
            continue
        for name in parts[1:]:
            host = name.lower().rstrip(".")
            if host in _NORMAL_NAMES or host in skip or not host.isprintable() or len(host) > 253:
                continue
            out.append(HostSetting(COLLECTOR, SOURCE, area="hosts-entry", key=host, value=address,
                                   location=location))
            if len(out) >= MAX_ENTRIES:
                return out, bad
    return out, bad


def collect_hosts(run: HostRun) -> Iterator[HostSetting]:
    location = hosts_path(run)
    path = run.path(location) if run.platform != "win32" else run.root / location
    try:
        data = read_system_file(path, MAX_BYTES, start_only=True)
    except FileNotFoundError:
        run.checked("host.hosts-file-absent", f"the hosts file ({location}): not present", path=location)
        return
    except OSError as exc:
        run.warn(CheckNote.of("warn.host.hosts-file-unreadable",
                              f"the hosts file {location} could not be read: {exc.strerror or exc}",
                              path=location, problem=exc.strerror or exc))
        run.not_checked("host.hosts-file-unread", f"the hosts file ({location})", path=location)
        return
    if len(data) > MAX_BYTES:
        run.warn(CheckNote.of("warn.host.hosts-file-too-large", f"the hosts file is larger than "
                              f"{MAX_BYTES // (1024 * 1024)} MiB; only its start was read",
                              mib=MAX_BYTES // (1024 * 1024)))
    # The computer's own name mapped to itself is how most systems are set up.
    own = frozenset({socket.gethostname().lower()}) if str(run.root) == "/" else frozenset()
    entries, bad = parse(data[:MAX_BYTES].decode("utf-8", "replace"), location, own)
    if len(entries) >= MAX_ENTRIES:
        run.warn(CheckNote.of("warn.host.hosts-file-too-many", f"the hosts file has more than {MAX_ENTRIES} names; "
                              "the rest was not read", count=MAX_ENTRIES))
    if bad:
        run.warn(CheckNote.of("warn.host.hosts-file-bad-lines",
                              f"{bad} lines of the hosts file are not 'address name' lines and were skipped",
                              count=bad))
    run.count("hosts-entries", len(entries))
    run.checked("host.hosts-file", f"the hosts file ({location}): {len(entries)} names other than localhost",
                path=location, count=len(entries))
    yield from entries
