"""The one module that talks to an iPhone: usbmuxd, lockdown and the read-only services,
through pymobiledevice3's own classes, with every request checked by ``readonly.py``.

It is imported only when an iPhone check starts (pymobiledevice3 pulls in a large
dependency tree). Each state a person can be in gets one plain line: usbmuxd missing (with
the install hint for this system), no iPhone, several, locked, "Trust This Computer?" not
accepted yet, pairing refused. A read that fails becomes a "not read" answer; the others
still run.
"""

from __future__ import annotations

import asyncio
import json
import logging
import plistlib
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from pymobiledevice3 import usbmux
from pymobiledevice3.exceptions import (
    ConnectionFailedToUsbmuxdError,
    IncorrectModeError,
    MissingValueError,
    NoDeviceConnectedError,
    PairingDialogResponsePendingError,
    PasswordRequiredError,
    PyMobileDevice3Exception,
    UserDeniedPairingError,
)
from pymobiledevice3.lockdown import UsbmuxLockdownClient
from pymobiledevice3.service_connection import ServiceConnection
from pymobiledevice3.services.afc import AfcService
from pymobiledevice3.services.installation_proxy import InstallationProxyService
from pymobiledevice3.services.misagent import MisagentService
from pymobiledevice3.services.mobile_config import MobileConfigService
from pymobiledevice3.services.os_trace import OsTraceService

from exposure.collect.ios import answers as A
from exposure.collect.ios.readonly import CallRefused, GuardedConnection, check_lockdown, check_service
from exposure.errors import UserError
from exposure.paths import data_dir

# pymobiledevice3 logs to the root logger; its lines must not land in the app's screen.
logging.getLogger("pymobiledevice3").setLevel(logging.CRITICAL + 1)

LOCKDOWN_PORT = 62078
READ_TIMEOUT = 120.0
CRASH_FOLDER_SERVICE = "com.apple.crashreportcopymobile"

USBMUXD_MISSING = {
    "linux": ("cannot reach usbmuxd, the service that lets this computer talk to an iPhone over USB: install "
              "it (Debian/Ubuntu: `sudo apt install usbmuxd`; Fedora: `sudo dnf install usbmuxd`), plug the iPhone "
              "in again, and run the check again"),
    "darwin": ("cannot reach usbmuxd (part of macOS): unplug and replug the iPhone; if that does not help, "
               "restart this computer and try again"),
    "win32": ("cannot reach Apple's iPhone driver: install Apple Devices from the Microsoft Store (or iTunes), "
              "plug the iPhone in, and run the check again"),
}
NO_IPHONE = ("no iPhone found: connect it with a USB cable, unlock it, and if it asks 'Trust This Computer?', "
             "tap Trust")
SEVERAL = "several iPhones are connected ({udids}): choose one with --iphone UDID"
NOT_CONNECTED = "no iPhone with UDID {udid} is connected (connected: {udids})"
LOCKED = "the iPhone {udid} is locked: unlock it (enter the passcode), keep it unlocked, and run the check again"
TRUST_PENDING = ("the iPhone {udid} is still asking 'Trust This Computer?': unlock it, tap Trust, enter the passcode, "
                 "and run the check again")
PAIRING_REFUSED = ("the iPhone {udid} answered 'Don't Trust': to allow this computer, unplug and replug it, then tap "
                   "Trust (if it no longer asks, the only way back on the phone is Settings → General → Transfer or "
                   "Reset iPhone → Reset → Reset Location & Privacy, which also takes away every app's location "
                   "access and could be noticed by whoever set up a watching app: talk to a helper first)")
WRONG_MODE = "the iPhone {udid} is in recovery or restore mode: start it normally, unlock it, and try again"
GONE = "the iPhone {udid} stopped answering ({problem}): check the cable, unlock the phone, and try again"


USBMUXD_KEYS = {  # per system: the key of its message alone, and with the reason
    "linux": ("error.iphone.no-usbmuxd-linux", "error.iphone.no-usbmuxd-linux-why"),
    "darwin": ("error.iphone.no-usbmuxd-darwin", "error.iphone.no-usbmuxd-darwin-why"),
    "win32": ("error.iphone.no-usbmuxd-win32", "error.iphone.no-usbmuxd-win32-why"),
}
# The key of each message above in exposure/explain/errors.yaml (its texts in every language).
KEYS = {NO_IPHONE: "error.iphone.no-iphone", SEVERAL: "error.iphone.several",
        NOT_CONNECTED: "error.iphone.not-connected", LOCKED: "error.iphone.locked",
        TRUST_PENDING: "error.iphone.trust-pending", PAIRING_REFUSED: "error.iphone.pairing-refused",
        WRONG_MODE: "error.iphone.wrong-mode", GONE: "error.iphone.gone"}


def said(message: str, **params: str) -> UserError:
    """The UserError of one of the messages above, with its key and params (so it reads in any language)."""
    return UserError(message.format(**params), key=KEYS[message], **params)


def usbmuxd_missing() -> str:
    return USBMUXD_MISSING.get(sys.platform, USBMUXD_MISSING["linux"])


def no_usbmuxd(problem: str = "") -> UserError:
    """usbmuxd cannot be reached: what to do on this system, and why when known."""
    plain, why = USBMUXD_KEYS.get(sys.platform, USBMUXD_KEYS["linux"])
    if problem:
        return UserError(f"{usbmuxd_missing()} ({problem})", key=why, problem=problem)
    return UserError(usbmuxd_missing(), key=plain)


def pairing_folder() -> Path:
    """Where this computer keeps its iPhone pairing records (one ``UDID.plist`` per phone)."""
    return data_dir() / "iphone-pairing"


def pairing_record(udid: str) -> Path:
    """The file that lets this computer read the phone again: exposure's own, or, when the
    phone was paired before (Finder, iTunes, libimobiledevice), the system's lockdown folder."""
    ours = pairing_folder() / f"{udid}.plist"
    if ours.exists():
        return ours
    try:
        from pymobiledevice3.osu.os_utils import get_os_utils

        return Path(get_os_utils().pair_record_path) / f"{udid}.plist"
    except (PyMobileDevice3Exception, OSError, NotImplementedError):
        return ours


class Mux:
    """usbmuxd as pymobiledevice3 reaches it (tests hand in a fake with the same methods)."""

    async def usb_devices(self) -> list[str]:
        """UDIDs of the iPhones connected over USB."""
        devices = await usbmux.list_devices()
        return list(dict.fromkeys(d.serial for d in devices if d.is_usb))

    async def connect(self, udid: str, port: int = LOCKDOWN_PORT, ssl_context: Any = None) -> Any:
        """A connection to a port of the phone (lockdown's by default)."""
        return await ServiceConnection.create_using_usbmux(udid, port, connection_type="USB", ssl_context=ssl_context)


def make_mux() -> Mux:
    return Mux()


class ReadOnlyLockdown(UsbmuxLockdownClient):
    """pymobiledevice3's lockdown client with the allow-list in front of every request and
    every service it starts (see readonly.py)."""

    def __init__(self, *args: Any, mux: Mux | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mux = mux or make_mux()

    async def create_service_connection(self, port: int, ssl_context: Any = None, strip_ssl: bool = False) -> Any:
        if strip_ssl:
            raise CallRefused("exposure uses no service that needs the old TLS handshake")
        return await self.mux.connect(str(self.identifier), port, ssl_context)

    async def _request(self, request: str, options: dict[str, Any] | None = None,
                       verify_request: bool = True) -> dict[str, Any]:
        check_lockdown(request, options or {})
        return await super()._request(request, options, verify_request)

    async def start_lockdown_service(self, name: str, include_escrow_bag: bool = False) -> Any:
        check_service(name)
        if include_escrow_bag:
            raise CallRefused("refusing to start a service with the escrow bag")
        connection = await super().start_lockdown_service(name)
        return GuardedConnection(connection, name)

    async def start_lockdown_developer_service(self, name: str, include_escrow_bag: bool = False) -> Any:
        raise CallRefused(f"refusing developer service {name!r}: exposure never uses Developer Mode")


async def choose(mux: Mux, wanted: str) -> str:
    """The UDID to read, or a UserError with one line saying what to do."""
    try:
        udids = await mux.usb_devices()
    except ConnectionFailedToUsbmuxdError:
        raise no_usbmuxd() from None
    except (PyMobileDevice3Exception, OSError) as exc:
        raise no_usbmuxd(_reason(exc)) from None
    listed = ", ".join(udids) or "none"
    if wanted:
        found = next((u for u in udids if u.replace("-", "") == wanted.replace("-", "")), None)
        if found is None:
            raise said(NOT_CONNECTED, udid=wanted, udids=listed)
        return found
    if not udids:
        raise said(NO_IPHONE)
    if len(udids) > 1:
        raise said(SEVERAL, udids=listed)
    return udids[0]


@asynccontextmanager
async def open_lockdown(udid: str, *, pair: bool, pair_timeout: float | None,
                        mux: Mux | None = None) -> AsyncIterator[ReadOnlyLockdown]:
    """A read-only lockdown session with the iPhone ``udid`` (or the only one).

    With ``pair`` the phone is asked to trust this computer when it does not yet, and the
    answer is awaited up to ``pair_timeout`` seconds (0: do not wait).
    """
    mux = mux or make_mux()
    udid = await choose(mux, udid)
    folder = pairing_folder()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        service = await mux.connect(udid)
    except NoDeviceConnectedError:
        raise said(NO_IPHONE) from None
    except (PyMobileDevice3Exception, OSError) as exc:
        raise said(GONE, udid=udid, problem=_reason(exc)) from None
    try:
        lockdown = cast(ReadOnlyLockdown, await ReadOnlyLockdown.create(
            service, identifier=udid, autopair=pair, pair_timeout=pair_timeout,
            pairing_records_cache_folder=folder, usbmux_address=None, mux=mux))
    except BaseException as exc:
        await _close(service)
        raise _state_error(exc, udid) from None
    try:
        yield lockdown
    finally:
        await _close(lockdown)


def _state_error(exc: BaseException, udid: str) -> BaseException:
    if isinstance(exc, PasswordRequiredError):
        return said(LOCKED, udid=udid)
    if isinstance(exc, PairingDialogResponsePendingError):
        return said(TRUST_PENDING, udid=udid)
    if isinstance(exc, UserDeniedPairingError):
        return said(PAIRING_REFUSED, udid=udid)
    if isinstance(exc, IncorrectModeError):
        return said(WRONG_MODE, udid=udid)
    if isinstance(exc, PyMobileDevice3Exception | OSError | asyncio.TimeoutError | ConnectionError):
        return said(GONE, udid=udid, problem=_reason(exc))
    return exc


async def _close(thing: Any) -> None:
    try:
        await thing.close()
    except Exception:  # noqa: S110 - closing a connection the phone already dropped
        pass


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else ""
    return text or type(exc).__name__


@dataclass(slots=True)
class PhoneRead:
    """What was read: each answer's bytes as they are kept in a saved folder."""

    udid: str
    raw: dict[str, bytes] = field(default_factory=dict)  # answer file name -> bytes
    failed: dict[str, str] = field(default_factory=dict)  # answer file name -> one-line reason
    pairing_record: str = ""  # where this computer keeps the phone's pairing record


def encode(answer: A.Answer, value: object) -> bytes:
    if answer.suffix == ".json":
        return json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8")
    return plistlib.dumps(cast(Any, value), fmt=plistlib.FMT_XML, sort_keys=False)


async def read_answer(lockdown: ReadOnlyLockdown, answer: A.Answer) -> object:
    """One answer, through pymobiledevice3's service classes (their parsing runs)."""
    if answer is A.VALUES:
        return await lockdown.get_value()
    if answer is A.DEVELOPER_MODE:
        return bool(await lockdown.get_value("com.apple.security.mac.amfi", "DeveloperModeStatus"))
    if answer is A.WIFI_SYNC:
        return await _flag(lockdown, "com.apple.mobile.wireless_lockdown", "EnableWifiConnections")
    if answer is A.BACKUP_ENCRYPTION:
        return await _flag(lockdown, "com.apple.mobile.backup", "WillEncrypt")
    if answer is A.APPS:
        async with InstallationProxyService(lockdown) as proxy:
            return list((await proxy.get_apps(application_type="Any")).values())
    if answer is A.PROVISIONING:
        async with MisagentService(lockdown) as misagent:
            return [profile.buf for profile in await misagent.copy_all()]
    if answer is A.PROFILES:
        async with MobileConfigService(lockdown) as config:
            return await config.get_profile_list()
    if answer is A.CLOUD:
        async with MobileConfigService(lockdown) as config:
            return await config.get_cloud_configuration() or {}
    if answer is A.PROCESSES:
        async with OsTraceService(lockdown) as trace:
            return await cast(Any, trace).get_pid_list()  # untyped in pymobiledevice3
    if answer is A.CRASHES:
        async with AfcService(lockdown, service_name=CRASH_FOLDER_SERVICE) as afc:
            return sorted(await afc.listdir("/"))
    if answer is A.AFC2:
        return await _afc2(lockdown)
    raise CallRefused(f"no read is defined for {answer.name!r}")


async def _flag(lockdown: ReadOnlyLockdown, domain: str, key: str) -> bool:
    try:
        return bool(await lockdown.get_value(domain, key))
    except MissingValueError:
        return False  # never set on this phone: off


async def _afc2(lockdown: ReadOnlyLockdown) -> dict[str, object]:
    """Whether ``com.apple.afc2`` starts: it exists only when a jailbreak installed it."""
    try:
        connection = await lockdown.start_lockdown_service("com.apple.afc2")
    except PyMobileDevice3Exception as exc:
        return {"started": False, "answer": _reason(exc)}
    await _close(connection)
    return {"started": True, "answer": ""}


Step = Callable[[A.Answer], None]


def read_phone(udid: str, wanted: tuple[A.Answer, ...] = A.ANSWERS, *, pair_timeout: float = 120.0,
               step: Step = lambda answer: None, cancel: threading.Event | None = None,
               mux: Mux | None = None) -> PhoneRead:
    """Read ``wanted`` from the iPhone (blocking; runs its own event loop)."""
    return _run(_read_phone(udid, wanted, pair_timeout, step, cancel or threading.Event(), mux))


def _run(coroutine: Awaitable[PhoneRead]) -> PhoneRead:
    return cast(PhoneRead, asyncio.run(cast(Any, coroutine)))


async def _read_phone(udid: str, wanted: tuple[A.Answer, ...], pair_timeout: float, step: Step,
                      cancel: threading.Event, mux: Mux | None) -> PhoneRead:
    async with open_lockdown(udid, pair=True, pair_timeout=pair_timeout, mux=mux) as lockdown:
        udid = str(lockdown.identifier or udid)
        read = PhoneRead(udid, pairing_record=str(pairing_record(udid)))
        major = _major(str(lockdown.all_values.get("ProductVersion", "")))
        for answer in wanted:
            if cancel.is_set():
                break
            if answer is A.DEVELOPER_MODE and 0 < major < 16:
                continue  # Developer Mode exists from iOS 16 on
            step(answer)
            try:
                value = await asyncio.wait_for(read_answer(lockdown, answer), READ_TIMEOUT)
                read.raw[answer.file] = encode(answer, value)
            except PasswordRequiredError:
                raise said(LOCKED, udid=udid) from None
            except CallRefused:
                raise
            except TimeoutError:
                read.failed[answer.file] = f"no answer within {READ_TIMEOUT:.0f} s"
            except (PyMobileDevice3Exception, OSError, ValueError, TypeError, ConnectionError, KeyError) as exc:
                read.failed[answer.file] = _reason(exc)
        return read


def _major(version: str) -> int:
    head = version.split(".", 1)[0]
    return int(head) if head.isdigit() else 0


@dataclass(frozen=True, slots=True)
class Probe:
    """What the app shows while it walks the person through unlocking and Trust."""

    udid: str
    trusted: bool  # this computer can already read the phone
    name: str = ""  # the phone's own name (untrusted text)
    ios: str = ""


def probe(udid: str = "", mux: Mux | None = None) -> Probe:
    """Whether an iPhone is there and trusts this computer, without asking it to (no Trust
    prompt appears). Raises UserError for usbmuxd missing, no iPhone, several."""
    return cast(Probe, asyncio.run(cast(Any, _probe(udid, mux))))


async def _probe(udid: str, mux: Mux | None) -> Probe:
    async with open_lockdown(udid, pair=False, pair_timeout=0, mux=mux) as lockdown:
        values = lockdown.all_values or {}
        return Probe(str(lockdown.identifier or udid), bool(lockdown.paired),
                     str(values.get("DeviceName", ""))[:80], str(values.get("ProductVersion", ""))[:20])
