"""Android backups and bug reports for the tests, generated in the documented formats
(no public recording licensed for tests exists): ``backup.ab`` as AOSP's adb backup writes
it (four header lines, then a zlib-deflated tar whose telephony member is a zlib-deflated
JSON list of messages, AOSP ``TelephonyBackupAgent``), and ``bugreport.zip`` as
``dumpstate`` writes it (``main_entry.txt`` and one text file of ``------ TITLE ------``
sections), filled with real recorded dumpsys sections where the caller gives them.
"""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from typing import Any

TELEPHONY = "apps/com.android.providers.telephony"


def sms(body: str, date_ms: int = 1648512000000, address: str = "+15550100") -> dict[str, Any]:
    return {"self_phone": "+15550199", "address": address, "body": body, "date": str(date_ms), "date_sent": "0",
            "status": "-1", "type": "1", "read": "1"}


def backup_ab(messages: Iterable[dict[str, Any]] = (), *, compressed: bool = True, encrypted: bool = False,
              extra_members: Mapping[str, bytes] | None = None, version: int = 5) -> bytes:
    members: dict[str, bytes] = {f"{TELEPHONY}/_manifest": b"1\n30\ncom.android.providers.telephony\n"}
    members.update(extra_members or {})
    members[f"{TELEPHONY}/d_f/000000_sms_backup"] = zlib.compress(json.dumps(list(messages)).encode())
    members[f"{TELEPHONY}/d_f/000000_mms_backup"] = zlib.compress(b"[]")
    tar = io.BytesIO()
    with tarfile.open(fileobj=tar, mode="w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    body = tar.getvalue()
    if encrypted:
        keys = "00" * 32 + "\n" + "11" * 32 + "\n10000\n" + "22" * 16 + "\n"
        return f"ANDROID BACKUP\n{version}\n1\nAES-256\n{keys}".encode() + b"\x00" * 64
    header = f"ANDROID BACKUP\n{version}\n{1 if compressed else 0}\nnone\n".encode()
    return header + (zlib.compress(body) if compressed else body)


def dumpstate_text(services: Mapping[str, str], getprop: str = "", title: str = "DUMPSYS") -> str:
    """A bug report's main text: a few dumpstate sections, the properties, then the services."""
    parts = ["========================================================",
             "== dumpstate: 2022-03-29 23:30:00", "========================================================", "",
             "Build: SP1A.210812.016", "", "------ UPTIME (uptime) ------", " 23:30:00 up 3 days", "",
             "------ 0.010s was the duration of 'UPTIME' ------"]
    if getprop:
        parts += ["------ SYSTEM PROPERTIES (getprop) ------", getprop.rstrip("\n"),
                  "------ 0.050s was the duration of 'SYSTEM PROPERTIES' ------"]
    parts.append(f"------ {title} (/system/bin/dumpsys) ------")
    for name, body in services.items():
        parts += ["-------------------------------------------------------------------------------",
                  f"DUMP OF SERVICE {name}:", body.rstrip("\n"),
                  f"--------- 0.004s was the duration of dumpsys {name}, ending at: 2022-03-29 23:30:01"]
    parts += ["------ 12.3s was the duration of 'DUMPSYS' ------", "------ APP SERVICES (/system/bin/dumpsys "
              "activity service all) ------", "DUMP OF SERVICE appops:", "  Uid u0a1:", "  this is not kept", ""]
    return "\n".join(parts) + "\n"


def bugreport_zip(text: str, name: str = "bugreport-sargo-SP1A.210812.016-2022-03-29-23-30-00.txt",
                  main_entry: bool = True) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if main_entry:
            archive.writestr("main_entry.txt", name)
        archive.writestr(name, text)
        archive.writestr("version.txt", "2.0")
        archive.writestr("FS/data/anr/traces.txt", "----- pid 1 -----\n")
    return out.getvalue()
