"""The allow-list of everything exposure may ask an iPhone, and the guard that enforces it.

Two layers, both checked on every call:

- lockdown requests (``check_lockdown``): reading values, the session and pairing
  handshake, and starting one of the services below. ``SetValue``, ``RemoveValue``,
  ``Unpair``, ``EnterRecovery`` and everything else are refused.
- each service connection is wrapped in :class:`GuardedConnection`, which looks at every
  message before it leaves: the installation proxy may only ``Lookup`` (no install or
  uninstall), misagent may only ``CopyAll`` (no install or remove of provisioning
  profiles), MCInstall may only list profiles and read the cloud configuration (no profile
  install or removal, no ``Flush``, no ``EraseDevice``), os_trace may only ask for the
  process list, the crash-report folder may only be listed (no file is opened, none is
  removed: a sysdiagnose with erase or a ``clear`` cannot happen), and pcapd and afc2 get
  no message at all.

A refused call raises :class:`CallRefused` before anything is sent: it is a bug, never
run. Nothing here imports pymobiledevice3, so the rules can be tested and read alone.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

# Lockdown: the requests a read needs. "Pair" is the one that leaves something behind: a
# pairing record on the phone and on this computer ("Trust This Computer?"); the report
# says so and how to undo it.
LOCKDOWN_REQUESTS: frozenset[str] = frozenset({
    "QueryType", "GetValue", "ValidatePair", "StartSession", "StopSession", "Pair", "StartService",
})
# GetValue domains that may be read ("" is the default domain: model, iOS version...).
VALUE_DOMAINS: frozenset[str] = frozenset({
    "", "com.apple.security.mac.amfi", "com.apple.mobile.wireless_lockdown", "com.apple.mobile.backup",
})

# AFC operation codes (pymobiledevice3.services.afc.AfcOpcode): list a folder, stat a path.
AFC_READ_DIR = 0x03
AFC_GET_FILE_INFO = 0x0A
AFC_MAGIC = b"CFA6LPAA"
_AFC_HEADER = struct.Struct("<8sQQQQ")


@dataclass(frozen=True, slots=True)
class ServiceRule:
    """What may be sent on one service: plist messages whose ``key`` is in ``values``,
    AFC packets whose operation is in ``afc``; nothing at all when both are empty."""

    key: str = ""
    values: frozenset[str] = frozenset()
    afc: frozenset[int] = frozenset()


SERVICES: dict[str, ServiceRule] = {
    "com.apple.mobile.installation_proxy": ServiceRule("Command", frozenset({"Lookup"})),
    "com.apple.misagent": ServiceRule("MessageType", frozenset({"CopyAll"})),
    "com.apple.mobile.MCInstall": ServiceRule("RequestType", frozenset({"GetProfileList", "GetCloudConfiguration"})),
    "com.apple.os_trace_relay": ServiceRule("Request", frozenset({"PidList"})),
    "com.apple.crashreportcopymobile": ServiceRule(afc=frozenset({AFC_READ_DIR, AFC_GET_FILE_INFO})),
    "com.apple.pcapd": ServiceRule(),  # the phone's traffic: only received
    "com.apple.afc2": ServiceRule(),  # started only to see whether it exists (jailbroken phones)
}


class CallRefused(Exception):
    """A request that is not on the read-only allow-list: never sent."""


def check_lockdown(request: str, options: Mapping[str, Any]) -> None:
    """Raise CallRefused unless this lockdown request only reads (or pairs)."""
    if request not in LOCKDOWN_REQUESTS:
        raise CallRefused(f"refusing lockdown request {request!r}: exposure only reads")
    if request == "GetValue" and str(options.get("Domain") or "") not in VALUE_DOMAINS:
        raise CallRefused(f"refusing to read lockdown domain {options.get('Domain')!r}: not on the list")
    if request == "StartService":
        check_service(str(options.get("Service", "")))
        if "EscrowBag" in options:
            raise CallRefused("refusing to start a service with the escrow bag (it unlocks a locked phone)")


def check_service(name: str) -> ServiceRule:
    rule = SERVICES.get(name)
    if rule is None:
        raise CallRefused(f"refusing to start service {name!r}: not on the read-only list")
    return rule


def check_message(service: str, message: object) -> None:
    rule = check_service(service)
    if not isinstance(message, Mapping) or not rule.key or message.get(rule.key) not in rule.values:
        what = message.get(rule.key) if isinstance(message, Mapping) and rule.key else type(message).__name__
        raise CallRefused(f"refusing {what!r} on {service}: exposure only reads")


def check_afc(service: str, packet: bytes) -> None:
    rule = check_service(service)
    if len(packet) < _AFC_HEADER.size:
        raise CallRefused(f"refusing a raw write on {service}")
    magic, _entire, _this, _num, operation = _AFC_HEADER.unpack_from(packet)
    if magic != AFC_MAGIC or operation not in rule.afc:
        raise CallRefused(f"refusing AFC operation {operation:#x} on {service}: exposure only lists folders")


class Connection(Protocol):
    """The part of pymobiledevice3's ServiceConnection that its services use."""

    async def send_recv_plist(self, data: Any, endianity: str = ..., fmt: Any = ...) -> Any: ...
    async def send_plist(self, d: Any, endianity: str = ..., fmt: Any = ...) -> None: ...
    async def recv_plist(self, endianity: str = ...) -> Any: ...
    async def recv_prefixed(self, endianity: str = ...) -> bytes: ...
    async def recvall(self, size: int) -> bytes: ...
    async def sendall(self, payload: bytes) -> None: ...
    async def close(self) -> None: ...


class GuardedConnection:
    """A service connection whose every outgoing message is checked first.

    Only the methods the allowed services use exist here; anything else is an
    AttributeError, so a new code path in pymobiledevice3 cannot slip past the check.
    """

    def __init__(self, inner: Connection, service: str) -> None:
        check_service(service)
        self._inner = inner
        self.service = service

    @property
    def mux_device(self) -> Any:
        return getattr(self._inner, "mux_device", None)

    async def send_recv_plist(self, data: Any, endianity: str = ">", fmt: Any = None) -> Any:
        check_message(self.service, data)
        if fmt is None:
            return await self._inner.send_recv_plist(data, endianity)
        return await self._inner.send_recv_plist(data, endianity, fmt)

    async def send_plist(self, d: Any, endianity: str = ">", fmt: Any = None) -> None:
        check_message(self.service, d)
        if fmt is None:
            await self._inner.send_plist(d, endianity)
        else:
            await self._inner.send_plist(d, endianity, fmt)

    async def sendall(self, payload: bytes) -> None:
        check_afc(self.service, payload)
        await self._inner.sendall(payload)

    async def send_prefixed(self, data: bytes) -> None:
        raise CallRefused(f"refusing a raw message on {self.service}")

    async def send_recv_prefixed(self, data: bytes, endianity: str = ">") -> bytes:
        raise CallRefused(f"refusing a raw message on {self.service}")

    async def recv_plist(self, endianity: str = ">") -> Any:
        return await self._inner.recv_plist(endianity)

    async def recv_prefixed(self, endianity: str = ">") -> bytes:
        return await self._inner.recv_prefixed(endianity)

    async def recvall(self, size: int) -> bytes:
        return await self._inner.recvall(size)

    async def close(self) -> None:
        await self._inner.close()

    async def aclose(self) -> None:
        await self._inner.close()
