"""A fake iPhone under pymobiledevice3's own classes.

Each connection is a real ``ServiceConnection`` over in-memory streams: what
pymobiledevice3 writes is decoded here as the phone would (length-prefixed plists, AFC
packets), answered from recorded data, and the answer bytes go back through its own
framing and plist decoding. So the lockdown handshake, the pairing flow and every service
class's parsing run as with a phone; only the USB cable is missing.

Recorded data: ISDi's real installation-proxy answer (tests/data/ios). The other answers
are built here in the documented shapes (Apple's configuration-profile and provisioning
profile keys, pymobiledevice3's service code) because no public recording exists; tests
that rely on them say so.
"""

from __future__ import annotations

import asyncio
import plistlib
import struct
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pymobiledevice3.exceptions import ConnectionFailedToUsbmuxdError
from pymobiledevice3.service_connection import ServiceConnection

from exposure.collect.ios import usb

DATA = Path(__file__).resolve().parent.parent / "data" / "ios"
ISDI_APPS = DATA / "isdi_ios_apps.plist"
UDID = "00008030-001A2B3C4D5E6F70"
LOCKDOWN = "lockdown"
AFC_SERVICES = {"com.apple.crashreportcopymobile", "com.apple.afc2", "com.apple.afc"}
_AFC = struct.Struct("<8sQQQQ")
AFC_DATA = 2
AFC_STATUS = 1


def isdi_apps() -> list[dict[str, Any]]:
    apps: list[dict[str, Any]] = plistlib.loads(ISDI_APPS.read_bytes())
    return apps


def app(bundle: str, name: str, signer: str, team: str = "ABCDE12345", *, get_task_allow: bool = False,
        validated: bool = False) -> dict[str, Any]:
    """An app dict in the installation proxy's shape (keys as in ISDi's recording)."""
    entitlements: dict[str, Any] = {"application-identifier": f"{team}.{bundle}",
                                    "com.apple.developer.team-identifier": team}
    if get_task_allow:
        entitlements["get-task-allow"] = True
    out: dict[str, Any] = {"CFBundleIdentifier": bundle, "CFBundleDisplayName": name, "CFBundleName": name,
                           "CFBundleShortVersionString": "1.0", "ApplicationType": "User", "SignerIdentity": signer,
                           "Entitlements": entitlements,
                           "Path": f"/private/var/containers/Bundle/Application/X/{name}.app"}
    if validated:
        out["ProfileValidated"] = True
    return out


def provisioning_profile(name: str, team: str, team_name: str, app_id: str, *, all_devices: bool = False,
                         devices: int = 0, expires: datetime = datetime(2027, 3, 1)) -> bytes:
    """A provisioning profile as misagent returns it: a signed (CMS) blob around the XML
    plist. The CMS wrapper is stand-in bytes: only the embedded plist is read."""
    plist: dict[str, Any] = {
        "AppIDName": name, "ApplicationIdentifierPrefix": [team], "CreationDate": datetime(2026, 3, 1),
        "Entitlements": {"application-identifier": app_id, "com.apple.developer.team-identifier": team,
                         "get-task-allow": not all_devices},
        "ExpirationDate": expires, "Name": name, "Platform": ["iOS"], "TeamIdentifier": [team],
        "TeamName": team_name, "TimeToLive": 365, "UUID": f"{abs(hash(name)) % 10**8:08d}-1111-2222-3333-444455556666",
        "Version": 1,
    }
    if all_devices:
        plist["ProvisionsAllDevices"] = True
    else:
        plist["ProvisionedDevices"] = [f"0000{i:04d}" for i in range(devices)]
    return b"0\x82\x1f\x00\x06\x09*\x86H\x86\xf7\r\x01\x07\x02" + plistlib.dumps(plist) + b"\xa0\x82\x0c\x00"


def config_profile(identifier: str, name: str, organization: str, uuid: str, payloads: list[tuple[str, str]],
                   removal_disallowed: bool = False) -> dict[str, Any]:
    """One ProfileMetadata entry of MCInstall's GetProfileList answer."""
    return {"PayloadDisplayName": name, "PayloadOrganization": organization, "PayloadUUID": uuid,
            "PayloadVersion": 1, "PayloadDescription": "", "PayloadRemovalDisallowed": removal_disallowed,
            "PayloadContent": [{"PayloadType": kind, "PayloadDisplayName": shown, "PayloadIdentifier":
                                f"{identifier}.{i}", "PayloadUUID": f"{uuid[:-2]}{i:02d}", "PayloadVersion": 1}
                               for i, (kind, shown) in enumerate(payloads)]}


def pcapd_frame(packet: bytes, pid: int, comm: str, *, ecomm: str = "", interface: str = "en0",
                seconds: int = 1_767_000_000, microseconds: int = 0, ethernet: bool = True) -> bytes:
    """One frame as pcapd sends it (big-endian header, little-endian pids, then the packet),
    the layout pymobiledevice3's DevicePacket parses."""
    frame = (b"\xbe\xef" * 6 + b"\x08\x00" + packet) if ethernet else packet
    comm_b = comm.encode()[:16].ljust(17, b"\0")
    ecomm_b = (ecomm or comm).encode()[:16].ljust(17, b"\0")
    header = (struct.pack(">IBIBHBIII", 0, 2, len(frame), 6 if ethernet else 255, 0, 1, 2, 14 if ethernet else 0, 0)
              + interface.encode().ljust(16, b"\0") + struct.pack("<I", pid) + comm_b + struct.pack(">I", 0)
              + struct.pack("<I", pid) + ecomm_b + struct.pack(">II", seconds, microseconds))
    header = struct.pack(">I", len(header)) + header[4:]
    return header + frame


@dataclass
class FakePhone:
    udid: str = UDID
    values: dict[str, Any] = field(default_factory=dict)
    apps: list[dict[str, Any]] = field(default_factory=isdi_apps)
    provisioning: list[bytes] = field(default_factory=list)
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)  # identifier -> metadata
    cloud: dict[str, Any] = field(default_factory=dict)
    processes: dict[int, str] = field(default_factory=lambda: {1: "launchd", 57: "SpringBoard", 311: "mDNSResponder"})
    crash_files: list[str] = field(default_factory=list)
    afc2: bool = False
    wifi_sync: bool | None = None  # None: never set (MissingValue)
    developer_mode: bool = False
    will_encrypt: bool = False
    trusted: bool = True
    pair_answer: str = "ok"  # "ok" | "pending" | "denied" | "locked"
    locked: bool = False  # services refuse to start (PasswordProtected)
    failing: set[str] = field(default_factory=set)  # services that refuse to start
    pcap_frames: list[bytes] = field(default_factory=list)
    pcap_end: bool = True  # False: pcapd keeps the connection open after the frames
    public_key: bytes = b""
    calls: list[tuple[str, str]] = field(default_factory=list)
    ports: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.values = {"ProductVersion": "17.2", "BuildVersion": "21C62", "ProductType": "iPhone14,2",
                       "DeviceClass": "iPhone", "UniqueDeviceID": self.udid, "DeviceName": "Anna's iPhone",
                       "SerialNumber": "F2LXXXXXXXXX", "WiFiAddress": "aa:bb:cc:dd:ee:ff"} | self.values

    # -- connections ------------------------------------------------------------------

    def open(self, service: str) -> ServiceConnection:
        reader = asyncio.StreamReader()
        side = _DeviceSide(self, service, reader)
        connection = ServiceConnection(reader, _Writer(side))  # type: ignore[arg-type]
        if service == "com.apple.pcapd":
            for frame in self.pcap_frames:
                side.reply(frame)
            if self.pcap_end:
                side.reply(b"")  # pcapd's watch() stops at an empty answer
        return connection

    # -- what the phone answers -------------------------------------------------------

    def handle(self, side: _DeviceSide, msg: dict[str, Any]) -> None:
        if side.service == LOCKDOWN:
            return self._lockdown(side, msg)
        kind = next((str(msg[k]) for k in ("Command", "MessageType", "RequestType", "Request") if k in msg), "?")
        self.calls.append((side.service, kind))
        if side.service == "com.apple.mobile.installation_proxy" and kind == "Lookup":
            side.reply({"LookupResult": {a["CFBundleIdentifier"]: a for a in self.apps}, "Status": "Complete"})
        elif side.service == "com.apple.misagent" and kind == "CopyAll":
            side.reply({"Status": 0, "Payload": self.provisioning})
        elif side.service == "com.apple.mobile.MCInstall" and kind == "GetProfileList":
            side.reply({"Status": "Acknowledged", "OrderedIdentifiers": list(self.profiles),
                        "ProfileManifest": {k: {"Description": v["PayloadDisplayName"], "IsActive": True}
                                            for k, v in self.profiles.items()},
                        "ProfileMetadata": self.profiles})
        elif side.service == "com.apple.mobile.MCInstall" and kind == "GetCloudConfiguration":
            side.reply({"Status": "Acknowledged", "CloudConfiguration": self.cloud})
        elif side.service == "com.apple.os_trace_relay" and kind == "PidList":
            listed = {str(pid): {"ProcessName": name} for pid, name in self.processes.items()}
            body = plistlib.dumps({"Status": "RequestSuccessful", "Payload": listed})
            side.reply_raw(b"\x01" + struct.pack(">L", len(body)) + body)
        else:
            side.reply({"Status": "Acknowledged"})  # a destructive request would be "done": tests assert none arrive

    def _lockdown(self, side: _DeviceSide, msg: dict[str, Any]) -> None:
        request = str(msg.get("Request"))
        name = request
        if request == "GetValue":
            name = f"GetValue {msg.get('Domain', '')}/{msg.get('Key', '')}"
        elif request == "StartService":
            name = f"StartService {msg.get('Service')}"
        self.calls.append((LOCKDOWN, name))
        answer: dict[str, Any] = {"Request": request}
        if request == "QueryType":
            answer["Type"] = "com.apple.mobile.lockdown"
        elif request == "GetValue":
            value = self._value(str(msg.get("Domain", "")), str(msg.get("Key", "")))
            if value is None:
                answer["Error"] = "MissingValue"
            else:
                answer["Value"] = value
        elif request == "StartSession":
            if self.trusted:
                answer.update({"SessionID": "FAKE-SESSION", "EnableSessionSSL": False})
            else:
                answer["Error"] = "InvalidHostID"
        elif request == "Pair":
            errors = {"pending": "PairingDialogResponsePending", "denied": "UserDeniedPairing",
                      "locked": "PasswordProtected"}
            if self.pair_answer in errors:
                answer["Error"] = errors[self.pair_answer]
            else:
                self.trusted = True
                answer["EscrowBag"] = b"fake escrow bag"
        elif request == "StartService":
            service = str(msg.get("Service"))
            if self.locked:
                answer["Error"] = "PasswordProtected"
            elif service in self.failing or (service == "com.apple.afc2" and not self.afc2):
                answer["Error"] = "InvalidService"
            else:
                port = 49152 + len(self.ports)
                self.ports[port] = service
                answer.update({"Port": port, "Service": service, "EnableServiceSSL": False})
        side.reply(answer)

    def _value(self, domain: str, key: str) -> Any:
        if domain == "" and key == "":
            return self.values
        if domain == "" and key == "DevicePublicKey":
            return self.public_key
        if domain == "":
            return self.values.get(key)
        table = {("com.apple.security.mac.amfi", "DeveloperModeStatus"): self.developer_mode,
                 ("com.apple.mobile.wireless_lockdown", "EnableWifiConnections"): self.wifi_sync,
                 ("com.apple.mobile.backup", "WillEncrypt"): self.will_encrypt}
        return table.get((domain, key))

    def afc(self, side: _DeviceSide, number: int, operation: int, payload: bytes) -> None:
        self.calls.append((side.service, f"AFC {operation:#x}"))
        if operation == 0x03:  # READ_DIR
            names = [".", "..", *self.crash_files]
            data = b"".join(n.encode() + b"\0" for n in names)
            side.reply_raw(_AFC.pack(b"CFA6LPAA", _AFC.size + len(data), _AFC.size, number, AFC_DATA) + data)
        elif operation == 0x0A:  # GET_FILE_INFO
            path = payload.rstrip(b"\0").decode()
            kind = "S_IFDIR" if path in ("/", "") else "S_IFREG"
            info = {"st_size": "1024", "st_blocks": "8", "st_nlink": "1", "st_ifmt": kind,
                    "st_mtime": "1735689600000000000", "st_birthtime": "1735689600000000000"}
            data = b"".join(k.encode() + b"\0" + v.encode() + b"\0" for k, v in info.items())
            side.reply_raw(_AFC.pack(b"CFA6LPAA", _AFC.size + len(data), _AFC.size, number, AFC_DATA) + data)
        else:
            side.reply_raw(_AFC.pack(b"CFA6LPAA", _AFC.size + 8, _AFC.size + 8, number, AFC_STATUS)
                           + struct.pack("<Q", 0))


class _DeviceSide:
    """One service connection as the phone sees it: requests in, answers out."""

    def __init__(self, phone: FakePhone, service: str, reader: asyncio.StreamReader) -> None:
        self.phone = phone
        self.service = service
        self.reader = reader
        self.buffer = b""

    def receive(self, data: bytes) -> None:
        self.buffer += data
        while True:
            if self.service in AFC_SERVICES:
                if len(self.buffer) < _AFC.size:
                    return
                _magic, entire, _this, number, operation = _AFC.unpack_from(self.buffer)
                if len(self.buffer) < entire:
                    return
                payload, self.buffer = self.buffer[_AFC.size:entire], self.buffer[entire:]
                self.phone.afc(self, number, operation, payload)
                continue
            if len(self.buffer) < 4:
                return
            size = struct.unpack(">L", self.buffer[:4])[0]
            if len(self.buffer) < 4 + size:
                return
            body, self.buffer = self.buffer[4:4 + size], self.buffer[4 + size:]
            self.phone.handle(self, plistlib.loads(body))

    def reply(self, obj: Any) -> None:
        data = plistlib.dumps(obj)
        self.reader.feed_data(struct.pack(">L", len(data)) + data)

    def reply_raw(self, data: bytes) -> None:
        self.reader.feed_data(data)

    def closed(self) -> None:
        if not self.reader.at_eof():
            self.reader.feed_eof()


class _Writer:
    """The host's side of the stream: every write goes to the phone at once."""

    def __init__(self, side: _DeviceSide) -> None:
        self.side = side
        self.transport = self
        self._closed = False

    def write(self, data: bytes) -> None:
        if self._closed:
            raise ConnectionResetError("closed")
        self.side.receive(bytes(data))

    async def drain(self) -> None:
        await asyncio.sleep(0)

    def close(self) -> None:
        self._closed = True
        self.side.closed()

    def abort(self) -> None:
        self.close()

    def is_closing(self) -> bool:
        return self._closed

    async def wait_closed(self) -> None:
        return None

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default


class FakeMux(usb.Mux):
    """usbmuxd with these phones plugged in (or not running at all)."""

    def __init__(self, phones: list[FakePhone], running: bool = True) -> None:
        self.phones = {p.udid: p for p in phones}
        self.running = running

    async def usb_devices(self) -> list[str]:
        if not self.running:
            raise ConnectionFailedToUsbmuxdError()
        return list(self.phones)

    async def connect(self, udid: str, port: int = usb.LOCKDOWN_PORT, ssl_context: Any = None) -> Any:
        phone = self.phones[udid]
        return phone.open(LOCKDOWN if port == usb.LOCKDOWN_PORT else phone.ports[port])
