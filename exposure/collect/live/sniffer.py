"""The capture socket: which interfaces there are, whether this process may capture, and a
tuned scapy listening socket on one interface.

Capturing needs privileges (root or CAP_NET_RAW on Linux, /dev/bpf access on macOS, Npcap
on Windows). Without them :func:`open_socket` raises :class:`CapturePermissionError`,
whose message says how to get them without handing packet capture to every program (never
``setcap`` on the system's own Python), and :func:`can_capture` tells a front end before
anything is set up.
"""

from __future__ import annotations

import errno
import glob
import os
import shlex
import socket
import sys
from dataclasses import dataclass
from typing import Any

from exposure.errors import UserError

_RCVBUF = 32 << 20
_SO_RCVBUFFORCE = 33  # Linux
_ETH_P_ALL = 0x0003
DLT_EN10MB = 1


class CapturePermissionError(UserError):
    """No privilege to open a capture socket. The message says why and how to fix it."""


@dataclass(frozen=True, slots=True)
class Interface:
    name: str
    up: bool
    addresses: tuple[str, ...]


def privilege_error() -> CapturePermissionError:
    """Why capturing failed for lack of rights, and how to fix it on this system."""
    if sys.platform == "darwin":
        return CapturePermissionError(
            "capturing needs administrator rights: run it with sudo, or give your user access to the "
            "capture devices (/dev/bpf*), for example with Wireshark's ChmodBPF helper",
            key="error.capture.privileges-macos")
    if sys.platform.startswith("win"):
        return CapturePermissionError(
            "capturing needs Npcap (https://npcap.com) and, if Npcap is limited to administrators, "
            "a terminal opened with 'Run as administrator'", key="error.capture.privileges-windows")
    command = f"sudo {shlex.quote(_exposure_command())} capture"
    if sys.prefix != sys.base_prefix:  # exposure's own environment: a copy of Python there is safe to empower
        copy = os.path.join(sys.prefix, "bin", "python-capture")
        python = os.path.realpath(sys.executable)
        return CapturePermissionError(
            f"capturing needs administrator rights: run it with sudo ({command} ...), or give packet capture "
            f"to a copy of Python kept in exposure's own folder only: cp {python} {copy} && sudo setcap "
            f"cap_net_raw,cap_net_admin=eip {copy}, then run {copy} -m exposure (never give it to the "
            "system's Python: every program run with it would get it too)",
            key="error.capture.privileges-venv", command=command, python=python, copy=copy)
    return CapturePermissionError(
        f"capturing needs administrator rights: run it with sudo ({command} ...); do not give packet capture "
        "to the system's Python with setcap: every program run with it would get it too",
        key="error.capture.privileges", command=command)


def privilege_message() -> str:
    """:func:`privilege_error` as an English line."""
    return str(privilege_error())


def _exposure_command() -> str:
    """The full path of the ``exposure`` command that runs now (sudo's own PATH would miss
    it), or ``exposure`` when started another way."""
    script = os.path.join(os.path.dirname(sys.executable), "exposure")
    return script if os.path.isfile(script) else "exposure"


def can_capture() -> bool:
    """Whether this process may open a capture socket (checked without capturing anything)."""
    if sys.platform.startswith("linux"):
        try:
            probe = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(_ETH_P_ALL))
        except PermissionError:
            return False
        except OSError:
            return True  # something else is wrong: opening the real socket will say what
        probe.close()
        return True
    if sys.platform == "darwin":
        return any(os.access(device, os.R_OK) for device in glob.glob("/dev/bpf*"))
    return True  # Windows: Npcap decides when the capture starts


def list_interfaces() -> list[Interface]:
    """Network interfaces with their state and addresses (psutil: no privileges needed)."""
    import psutil

    stats = psutil.net_if_stats()
    out = []
    for name, addrs in sorted(psutil.net_if_addrs().items()):
        addresses = tuple(a.address.split("%", 1)[0] for a in addrs if a.family in (socket.AF_INET, socket.AF_INET6))
        out.append(Interface(name, bool(stats[name].isup) if name in stats else False, addresses))
    return out


def default_interface() -> str:
    """The interface of the default route, as scapy sees it."""
    conf = scapy_conf()

    return str(getattr(conf.iface, "name", conf.iface))


def scapy_conf() -> Any:
    """scapy's configuration with the platform's sockets, routes and link layers loaded
    (a fraction of ``scapy.all``'s import time)."""
    try:
        import scapy.arch
        import scapy.layers.l2
        import scapy.route  # noqa: F401 - fills conf.route and conf.iface
        from scapy.config import conf
    except (ImportError, OSError) as exc:
        raise UserError(f"cannot load the capture library (scapy): {exc}", key="error.capture.no-scapy",
                        problem=exc) from None
    return conf


def _no_interface(iface: str) -> UserError:
    return UserError(f"no network interface named {iface!r}; see 'exposure capture --list-ifaces'",
                     key="error.capture.no-interface", iface=iface)


def _cannot(iface: str, problem: object) -> UserError:
    return UserError(f"cannot capture on {iface}: {problem}", key="error.capture.cannot", iface=iface,
                     problem=problem)


def open_socket(iface: str) -> Any:
    """A scapy listening socket on ``iface`` (not promiscuous: this computer's own traffic)."""
    from scapy.error import Scapy_Exception

    conf = scapy_conf()

    for attempt in range(2):
        try:
            return conf.L2listen(iface=iface, promisc=False)
        except PermissionError:
            raise privilege_error() from None
        except ValueError as exc:
            if "not found" not in str(exc):
                raise _cannot(iface, exc) from None
            if attempt == 0:
                conf.ifaces.reload()  # the interface may have appeared after scapy loaded
                continue
            raise _no_interface(iface) from None
        except OSError as exc:
            if exc.errno in (errno.EPERM, errno.EACCES):
                raise privilege_error() from None
            if exc.errno in (errno.ENODEV, errno.ENXIO):
                raise _no_interface(iface) from None
            raise _cannot(iface, exc.strerror or exc) from None
        except (Scapy_Exception, ImportError) as exc:
            text = str(exc)
            if "bpf" in text.lower() or "permission" in text.lower():
                raise privilege_error() from None
            raise _cannot(iface, text) from None
    raise AssertionError("unreachable")


def tune(sock: Any) -> bool:
    """A large kernel buffer (bursts are not dropped while Python catches up) and, on Linux,
    non-blocking reads, so a burst is drained without a select per packet. Returns whether
    reads are non-blocking."""
    raw = getattr(sock, "ins", None)
    if not isinstance(raw, socket.socket):
        return False
    for option in (_SO_RCVBUFFORCE, socket.SO_RCVBUF):  # FORCE passes the system limit (root/CAP_NET_ADMIN)
        try:
            raw.setsockopt(socket.SOL_SOCKET, option, _RCVBUF)
            break
        except OSError:
            continue
    if not sys.platform.startswith("linux"):
        return False
    raw.setblocking(False)
    return True


def linktype(sock: Any) -> int:
    layer = getattr(sock, "LL", None)
    found = scapy_conf().l2types.layer2num.get(layer) if layer is not None else None
    return int(found) if found is not None else DLT_EN10MB
