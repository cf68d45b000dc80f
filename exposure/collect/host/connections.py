"""Network connections of this computer (psutil), aggregated by program and remote end.

Linux lists every connection to anyone, but tells a normal user which program owns only
their own; macOS refuses the system-wide list unless root, so we fall back to asking each
program in turn (the psutil recipe). What could not be attributed or seen is reported.
"""

from __future__ import annotations

import ipaddress
import socket
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

import psutil

from exposure.collect.bounded import TimedOut, call_with_timeout
from exposure.collect.host.base import COLLECTOR, SOURCE, HostRun
from exposure.collect.host.limits import CONNECTIONS_TIMEOUT
from exposure.collect.host.processes import ProcessTable
from exposure.model import CheckNote
from exposure.observations.host import HostConnection

_Key = tuple[str, int, int, str, str, str, int | None]


def _system_wide(run: HostRun) -> tuple[list[Any], bool]:
    """All inet connections, and whether the list is complete."""
    try:
        return list(psutil.net_connections(kind="inet")), True
    except psutil.AccessDenied:
        pass
    found: list[Any] = []
    denied = 0
    for proc in psutil.process_iter(["pid"]):
        try:
            for conn in proc.net_connections(kind="inet"):
                found.append(conn._replace(pid=proc.pid) if hasattr(conn, "_replace") else conn)
        except psutil.AccessDenied:
            denied += 1
        except psutil.Error:
            continue
    if denied:
        run.warn(CheckNote.of("warn.host.connections-denied",
                              f"programs whose connections could not be listed: {denied}"
                              " (they belong to other users; run as administrator to see them)", count=denied))
    return found, denied == 0


def aggregate(conns: Iterable[Any], names: dict[int, str]) -> tuple[Counter[_Key], int]:
    """Counts per (ip, remote port, local port, protocol, status, program, pid); and the
    number of remote connections whose program is unknown. The local port is kept only for
    connections that came in to a listening port (someone connected to this computer, e.g.
    a screen-sharing server); outgoing ones use a throw-away port, recorded as 0."""
    conns = list(conns)
    listening = {int(c.laddr[1]) for c in conns if c.laddr and not getattr(c, "raddr", None)}
    counts: Counter[_Key] = Counter()
    unattributed = 0
    for conn in conns:
        raddr = getattr(conn, "raddr", None)
        if not raddr:
            continue
        ip = str(raddr[0]).split("%")[0]
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            continue
        if addr.is_loopback:
            continue
        if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
            addr = addr.ipv4_mapped
        pid = conn.pid if isinstance(conn.pid, int) else None
        if pid is None:
            unattributed += 1
        protocol = "udp" if conn.type == socket.SOCK_DGRAM else "tcp"
        status = str(conn.status or "")
        status = "" if status == "NONE" else status.lower()
        local = int(conn.laddr[1]) if conn.laddr else 0
        local = local if local in listening else 0
        counts[(str(addr), int(raddr[1]), local, protocol, status, names.get(pid, "") if pid else "", pid)] += 1
    return counts, unattributed


def collect_connections(run: HostRun, table: ProcessTable) -> Iterator[HostConnection]:
    try:
        # Asking each program in turn (macOS without root) reads other programs' data.
        conns, complete = call_with_timeout(lambda: _system_wide(run), CONNECTIONS_TIMEOUT)
    except TimedOut as exc:
        run.warn(CheckNote.of("warn.host.connections-stopped",
                              f"the list of network connections did not answer ({exc}); connections were not read",
                              problem=exc))
        run.not_checked("host.connections-unread", "network connections (the list did not answer)")
        return
    counts, unattributed = aggregate(conns, table.names)
    for (ip, rport, lport, protocol, status, process, pid), n in sorted(counts.items(), key=str):
        yield HostConnection(COLLECTOR, SOURCE, remote_ip=ip, remote_port=rport, local_port=lport,
                             protocol=protocol, status=status, process=process, pid=pid, count=n)
    total = sum(counts.values())
    run.count("connections", total)
    addresses = len({k[0] for k in counts})
    run.checked("host.connections", f"network connections open now: {total}; distinct addresses: {addresses}"
                " (a snapshot: programs that connect from time to time can be missed)", count=total,
                addresses=addresses)
    if not complete:
        run.not_checked("host.connections-other-users", "the connections of other users' programs")
    if unattributed and not run.is_admin:
        message = (f"{unattributed} connections belong to programs of other users or the system;"
                   " which program could not be seen (run as administrator to see them)")
        run.warn(CheckNote.of("warn.host.connections-unattributed", message, count=unattributed))
        run.not_checked("host.connections-unattributed", message, count=unattributed)
