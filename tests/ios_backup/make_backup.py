"""Builds small iPhone backups for the tests: ``Info.plist``, ``Manifest.db`` (with Apple's
archived file records), ``Manifest.plist`` and the few databases and plists a check reads,
stored under ``fileID[:2]/fileID`` as Finder stores them.

``encrypt=PASSWORD`` writes an encrypted backup in the documented format (iOS 10.2 and
later): a key bag whose class keys are wrapped (RFC 3394) with a key derived from the
password (PBKDF2-SHA256 then PBKDF2-SHA1), each file encrypted with its own key (AES-256-CBC,
zero IV, PKCS#7) wrapped by its protection class key, and Manifest.db encrypted with
``ManifestKey``. ``iphone_backup_decrypt`` only reads backups, so writing one is done here,
for tests only, with ``cryptography``. Iteration counts are small so tests stay fast.

Run as a script to write one: ``python -m tests.ios_backup.make_backup OUT [--password P]``.
"""

from __future__ import annotations

import hashlib
import os
import plistlib
import sqlite3
import struct
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.keywrap import aes_key_wrap

MAC_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)
PROTECTION_CLASS = 3  # "until first unlock", what most files use
DPIC, ITER = 1000, 10  # real backups: 10,000,000 and 10,000


def mac(moment: datetime, nanoseconds: bool = False) -> float:
    seconds = (moment - MAC_EPOCH).total_seconds()
    return seconds * 1e9 if nanoseconds else seconds


@dataclass
class Spec:
    """What the backup holds. Times are UTC datetimes."""

    ios_version: str = "17.5.1"
    model: str = "iPhone14,5"
    made: datetime = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    installed: list[str] = field(default_factory=lambda: ["com.example.notes", "net.whatsapp.WhatsApp"])
    store_records: list[str] | None = field(default_factory=lambda: ["com.example.notes", "net.whatsapp.WhatsApp"])
    # (text, service "SMS"|"iMessage", sender, time)
    messages: list[tuple[str, str, str, datetime]] = field(default_factory=list)
    whatsapp: list[tuple[str, str, datetime]] = field(default_factory=list)  # (text, sender jid, time)
    safari_history: list[tuple[str, datetime]] = field(default_factory=list)
    safari_tabs: list[tuple[str, datetime]] = field(default_factory=list)
    chrome_history: list[tuple[str, datetime]] = field(default_factory=list)
    firefox_history: list[tuple[str, datetime]] = field(default_factory=list)
    processes: list[tuple[str, str, datetime]] = field(default_factory=list)  # (process, bundle, time)
    grants: list[tuple[str, str, int, datetime]] = field(default_factory=list)  # (service, client, auth, time)
    location: dict[str, int] = field(default_factory=dict)  # bundle -> Authorization
    profiles: list[dict[str, object]] = field(default_factory=list)  # profile stubs
    profile_events: list[tuple[str, str, str, datetime]] = field(default_factory=list)  # id, op, process, time
    lockdown: bool | None = False
    manifest_plist: bool = True
    extra_files: dict[tuple[str, str], bytes] = field(default_factory=dict)


def _sqlite(script: str, rows: dict[str, list[tuple[object, ...]]]) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "db.sqlite"
        db = sqlite3.connect(path)
        db.executescript(script)
        for table, values in rows.items():
            for row in values:
                db.execute(f"INSERT INTO {table} VALUES ({', '.join('?' * len(row))})", row)
        db.commit()
        db.close()
        return path.read_bytes()


def sms_db(messages: list[tuple[str, str, str, datetime]]) -> bytes:
    senders = sorted({m[2] for m in messages})
    return _sqlite(
        "CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, id TEXT NOT NULL, country TEXT, "
        "service TEXT NOT NULL, uncanonicalized_id TEXT);"
        "CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, text TEXT, "
        "handle_id INTEGER DEFAULT 0, attributedBody BLOB, service TEXT, date INTEGER, is_from_me INTEGER);",
        {"handle": [(i + 1, s, "us", "SMS", s) for i, s in enumerate(senders)],
         "message": [(i + 1, f"guid-{i}", text, senders.index(who) + 1, None, service, int(mac(when, True)), 0)
                     for i, (text, service, who, when) in enumerate(messages)]})


def whatsapp_db(messages: list[tuple[str, str, datetime]]) -> bytes:
    return _sqlite("CREATE TABLE ZWAMESSAGE (Z_PK INTEGER PRIMARY KEY, ZCHATSESSION INTEGER, ZFROMJID TEXT, "
                   "ZTOJID TEXT, ZTEXT TEXT, ZMESSAGEDATE REAL, ZMESSAGETYPE INTEGER, ZISFROMME INTEGER);",
                   {"ZWAMESSAGE": [(i + 1, 1, who, None, text, mac(when), 0, 0)
                                   for i, (text, who, when) in enumerate(messages)]})


def safari_history_db(visits: list[tuple[str, datetime]]) -> bytes:
    return _sqlite("CREATE TABLE history_items (id INTEGER PRIMARY KEY, url TEXT NOT NULL UNIQUE);"
                   "CREATE TABLE history_visits (id INTEGER PRIMARY KEY, history_item INTEGER, visit_time REAL);",
                   {"history_items": [(i + 1, url) for i, (url, _) in enumerate(visits)],
                    "history_visits": [(i + 1, i + 1, mac(when)) for i, (_, when) in enumerate(visits)]})


def safari_tabs_db(tabs: list[tuple[str, datetime]]) -> bytes:
    return _sqlite("CREATE TABLE tabs (id INTEGER PRIMARY KEY, uuid TEXT, title TEXT, url TEXT, "
                   "last_viewed_time REAL);",
                   {"tabs": [(i + 1, f"tab-{i}", "t", url, mac(when)) for i, (url, when) in enumerate(tabs)]})


def chrome_db(visits: list[tuple[str, datetime]]) -> bytes:
    def webkit(moment: datetime) -> int:
        return int((moment - datetime(1601, 1, 1, tzinfo=UTC)).total_seconds() * 1e6)

    return _sqlite("CREATE TABLE urls (id INTEGER PRIMARY KEY, url TEXT, title TEXT, visit_count INTEGER, "
                   "last_visit_time INTEGER);"
                   "CREATE TABLE visits (id INTEGER PRIMARY KEY, url INTEGER, visit_time INTEGER);",
                   {"urls": [(i + 1, url, "", 1, webkit(when)) for i, (url, when) in enumerate(visits)],
                    "visits": [(i + 1, i + 1, webkit(when)) for i, (_, when) in enumerate(visits)]})


def firefox_db(visits: list[tuple[str, datetime]]) -> bytes:
    return _sqlite("CREATE TABLE history (id INTEGER PRIMARY KEY, url TEXT, title TEXT);"
                   "CREATE TABLE visits (id INTEGER PRIMARY KEY, siteID INTEGER, date INTEGER, type INTEGER);",
                   {"history": [(i + 1, url, "") for i, (url, _) in enumerate(visits)],
                    "visits": [(i + 1, i + 1, int(when.timestamp() * 1e6), 1)
                               for i, (_, when) in enumerate(visits)]})


def data_usage_db(processes: list[tuple[str, str, datetime]]) -> bytes:
    return _sqlite("CREATE TABLE ZPROCESS (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, "
                   "ZFIRSTTIMESTAMP TIMESTAMP, ZTIMESTAMP TIMESTAMP, ZBUNDLENAME VARCHAR, ZPROCNAME VARCHAR);",
                   {"ZPROCESS": [(i + 1, 7, 1, mac(when), mac(when), bundle, f"{name}/{bundle}")
                                 for i, (name, bundle, when) in enumerate(processes)]})


def tcc_db(grants: list[tuple[str, str, int, datetime]]) -> bytes:
    return _sqlite("CREATE TABLE access (service TEXT NOT NULL, client TEXT NOT NULL, client_type INTEGER NOT NULL, "
                   "auth_value INTEGER NOT NULL, auth_reason INTEGER NOT NULL, auth_version INTEGER NOT NULL, "
                   "last_modified INTEGER NOT NULL);",
                   {"access": [(service, client, 0, auth, 2, 1, int(when.timestamp()))
                               for service, client, auth, when in grants]})


def file_id(domain: str, path: str) -> str:
    return hashlib.sha1(f"{domain}-{path}".encode()).hexdigest()


def _record(path: str, size: int, flags: int, wrapped: bytes, created: datetime) -> bytes:
    """An archived MBFile, as Manifest.db keeps one per file (NSKeyedArchiver, binary plist)."""
    stamp = int(created.timestamp())
    mbfile: dict[str, object] = {"$class": plistlib.UID(4 if wrapped else 3), "RelativePath": plistlib.UID(2),
                                 "Birth": stamp, "LastModified": stamp, "LastStatusChange": stamp, "Size": size,
                                 "ProtectionClass": PROTECTION_CLASS if flags == 1 else 0,
                                 "Mode": 33188 if flags == 1 else 16877, "UserID": 501, "GroupID": 501, "Flags": 0}
    objects: list[object] = ["$null", mbfile, path]
    if wrapped:
        mbfile["EncryptionKey"] = plistlib.UID(3)
        objects.insert(3, {"NS.data": struct.pack("<l", PROTECTION_CLASS) + wrapped, "$class": plistlib.UID(5)})
        objects.append({"$classname": "MBFile", "$classes": ["MBFile", "NSObject"]})
        objects.append({"$classname": "NSMutableData", "$classes": ["NSMutableData", "NSData", "NSObject"]})
    else:
        objects.append({"$classname": "MBFile", "$classes": ["MBFile", "NSObject"]})
    return plistlib.dumps({"$version": 100000, "$archiver": "NSKeyedArchiver", "$top": {"root": plistlib.UID(1)},
                           "$objects": objects}, fmt=plistlib.FMT_BINARY)


class _Crypto:
    """The documented backup encryption, for writing test backups."""

    def __init__(self, password: str) -> None:
        self.salt, self.dpsl = os.urandom(20), os.urandom(20)
        round1 = hashlib.pbkdf2_hmac("sha256", password.encode(), self.dpsl, DPIC, 32)
        self.passphrase_key = hashlib.pbkdf2_hmac("sha1", round1, self.salt, ITER, 32)
        self.class_keys = {cls: os.urandom(32) for cls in (1, 2, 3, 4)}

    def keybag(self) -> bytes:
        def tlv(tag: bytes, value: bytes | int) -> bytes:
            data = struct.pack(">L", value) if isinstance(value, int) else value
            return tag + struct.pack(">L", len(data)) + data

        out = b"".join([tlv(b"VERS", 3), tlv(b"TYPE", 1), tlv(b"UUID", os.urandom(16)), tlv(b"HMCK", os.urandom(40)),
                        tlv(b"WRAP", 2), tlv(b"SALT", self.salt), tlv(b"ITER", ITER), tlv(b"DPWT", 1),
                        tlv(b"DPIC", DPIC), tlv(b"DPSL", self.dpsl)])
        for cls, key in self.class_keys.items():
            out += b"".join([tlv(b"UUID", os.urandom(16)), tlv(b"CLAS", cls), tlv(b"WRAP", 2), tlv(b"KTYP", 0),
                             tlv(b"WPKY", aes_key_wrap(self.passphrase_key, key))])
        return out

    def encrypt(self, data: bytes, cls: int = PROTECTION_CLASS) -> tuple[bytes, bytes]:
        """(encrypted body, wrapped file key)."""
        key = os.urandom(32)
        padder = padding.PKCS7(128).padder()
        padded = padder.update(data) + padder.finalize()
        encryptor = Cipher(algorithms.AES(key), modes.CBC(b"\x00" * 16)).encryptor()
        return encryptor.update(padded) + encryptor.finalize(), aes_key_wrap(self.class_keys[cls], key)


def files_of(spec: Spec) -> dict[tuple[str, str], bytes]:
    """(domain, relative path) -> body of every stored file the spec asks for."""
    files: dict[tuple[str, str], bytes] = {}
    if spec.messages:
        files[("HomeDomain", "Library/SMS/sms.db")] = sms_db(spec.messages)
    if spec.whatsapp:
        files[("AppDomainGroup-group.net.whatsapp.WhatsApp.shared", "ChatStorage.sqlite")] = whatsapp_db(spec.whatsapp)
    if spec.safari_history:
        files[("HomeDomain", "Library/Safari/History.db")] = safari_history_db(spec.safari_history)
    if spec.safari_tabs:
        files[("HomeDomain", "Library/Safari/BrowserState.db")] = safari_tabs_db(spec.safari_tabs)
    if spec.chrome_history:
        files[("AppDomain-com.google.chrome.ios", "Library/Application Support/Google/Chrome/Default/History")] = (
            chrome_db(spec.chrome_history))
    if spec.firefox_history:
        files[("AppDomainGroup-group.org.mozilla.ios.Firefox", "profile.profile/browser.db")] = firefox_db(
            spec.firefox_history)
    if spec.processes:
        files[("WirelessDomain", "Library/Databases/DataUsage.sqlite")] = data_usage_db(spec.processes)
    if spec.grants:
        files[("HomeDomain", "Library/TCC/TCC.db")] = tcc_db(spec.grants)
    if spec.location:
        files[("RootDomain", "Library/Caches/locationd/clients.plist")] = plistlib.dumps(
            {bundle: {"BundleId": bundle, "Authorization": auth} for bundle, auth in spec.location.items()},
            fmt=plistlib.FMT_BINARY)
    if spec.lockdown is not None:
        files[("HomeDomain", "Library/Preferences/.GlobalPreferences.plist")] = plistlib.dumps(
            {"AppleLocale": "en_GB", "LDMGlobalEnabled": spec.lockdown}, fmt=plistlib.FMT_BINARY)
    domain = "SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles"
    for i, profile in enumerate(spec.profiles):
        files[(domain, f"Library/ConfigurationProfiles/profile-{i:040x}.stub")] = plistlib.dumps(profile)
    if spec.profile_events:
        files[(domain, "Library/ConfigurationProfiles/MCProfileEvents.plist")] = plistlib.dumps(
            {"ProfileEvents": [{ident: {"operation": op, "process": proc, "timestamp": when.replace(tzinfo=None)}}
                               for ident, op, proc, when in spec.profile_events]})
    files.update(spec.extra_files)
    return files


def write_backup(folder: Path, spec: Spec | None = None, encrypt: str | None = None) -> Path:
    """Write a backup of ``spec`` into ``folder`` (created); encrypted with ``encrypt`` if given."""
    spec = spec or Spec()
    folder.mkdir(parents=True, exist_ok=True)
    crypto = _Crypto(encrypt) if encrypt else None
    rows: list[tuple[str, str, str, int, bytes]] = []
    for bundle in spec.installed:
        domain = f"AppDomain-{bundle}"
        rows.append((file_id(domain, ""), domain, "", 2, _record("", 0, 2, b"", spec.made)))
    for (domain, path), body in files_of(spec).items():
        fid = file_id(domain, path)
        stored, wrapped = crypto.encrypt(body) if crypto else (body, b"")
        (folder / fid[:2]).mkdir(exist_ok=True)
        (folder / fid[:2] / fid).write_bytes(stored)
        rows.append((fid, domain, path, 1, _record(path, len(body), 1, wrapped, spec.made)))
    manifest_db = _sqlite("CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, "
                          "flags INTEGER, file BLOB); CREATE TABLE Properties (key TEXT PRIMARY KEY, value BLOB);",
                          {"Files": list(rows)})
    manifest: dict[str, object] = {"IsEncrypted": crypto is not None, "Version": "10.0",
                                   "Lockdown": {"ProductVersion": spec.ios_version, "ProductType": spec.model},
                                   "Date": spec.made.replace(tzinfo=None)}
    if crypto is not None:
        encrypted, wrapped = crypto.encrypt(manifest_db, 4)
        manifest_db = encrypted
        manifest["BackupKeyBag"] = crypto.keybag()
        manifest["ManifestKey"] = struct.pack("<l", 4) + wrapped
    (folder / "Manifest.db").write_bytes(manifest_db)
    if spec.manifest_plist:
        (folder / "Manifest.plist").write_bytes(plistlib.dumps(manifest, fmt=plistlib.FMT_BINARY))
    info: dict[str, object] = {"Product Version": spec.ios_version, "Product Type": spec.model,
                               "Build Version": "21F90", "Device Name": "Test phone",
                               "Last Backup Date": spec.made.replace(tzinfo=None),
                               "Installed Applications": list(spec.installed)}
    if spec.store_records is not None:
        info["Applications"] = {b: {"iTunesMetadata": plistlib.dumps({"itemName": b.rsplit(".", 1)[-1], "itemId": 1}),
                                    "ApplicationSINF": b"sinf"} for b in spec.store_records}
    (folder / "Info.plist").write_bytes(plistlib.dumps(info))
    (folder / "Status.plist").write_bytes(plistlib.dumps({"IsFullBackup": False, "SnapshotState": "finished"}))
    return folder


if __name__ == "__main__":
    args = sys.argv[1:]
    password = args[args.index("--password") + 1] if "--password" in args else None
    print(write_backup(Path(args[0]), encrypt=password))


def encrypt_backup(source: Path, target: Path, password: str) -> Path:
    """An encrypted copy of the unencrypted backup ``source`` (a real one, such as MVT's test
    backup), as Finder would have written it with ``password``: every stored file encrypted
    with its own key, Manifest.db re-written with those keys and encrypted too."""
    crypto = _Crypto(password)
    target.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(f"file:{source / 'Manifest.db'}?mode=ro&immutable=1", uri=True)
    rows: list[tuple[object, ...]] = []
    for fid, domain, path, flags, blob in db.execute("SELECT fileID, domain, relativePath, flags, file FROM Files"):
        created = _birth(blob)
        stored = source / fid[:2] / fid
        if flags == 1 and stored.is_file():
            body = stored.read_bytes()
            encrypted, wrapped = crypto.encrypt(body)
            (target / fid[:2]).mkdir(exist_ok=True)
            (target / fid[:2] / fid).write_bytes(encrypted)
            blob = _record(path, len(body), 1, wrapped, created)
        elif flags == 1:
            blob = _record(path, 0, 1, os.urandom(40), created)
        rows.append((fid, domain, path, flags, blob))
    db.close()
    plain = _sqlite("CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags INTEGER, "
                    "file BLOB); CREATE TABLE Properties (key TEXT PRIMARY KEY, value BLOB);", {"Files": rows})
    encrypted, wrapped = crypto.encrypt(plain, 4)
    (target / "Manifest.db").write_bytes(encrypted)
    info = plistlib.loads((source / "Info.plist").read_bytes())
    (target / "Info.plist").write_bytes((source / "Info.plist").read_bytes())
    manifest = {"IsEncrypted": True, "Version": "10.0", "BackupKeyBag": crypto.keybag(),
                "ManifestKey": struct.pack("<l", 4) + wrapped,
                "Lockdown": {"ProductVersion": info.get("Product Version", ""),
                             "ProductType": info.get("Product Type", "")}}
    (target / "Manifest.plist").write_bytes(plistlib.dumps(manifest, fmt=plistlib.FMT_BINARY))
    return target


def _birth(blob: object) -> datetime:
    try:
        archive = plistlib.loads(blob)  # type: ignore[arg-type]
        stamp = archive["$objects"][archive["$top"]["root"].data]["Birth"]
        return datetime.fromtimestamp(int(stamp), UTC)
    except Exception:  # a record without a time: any time will do
        return datetime(2020, 1, 1, tzinfo=UTC)
