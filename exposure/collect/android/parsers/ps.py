"""``ps -A`` (also androidqf ``ps.txt``/``processes.txt``) and androidqf ``processes.json``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exposure.collect.android.parsers.lines import lines
from exposure.untrusted import load_json


@dataclass(frozen=True, slots=True)
class ProcessRow:
    name: str
    pid: int | None
    user: str = ""
    path: str = ""


def parse_ps(text: str) -> list[ProcessRow]:
    """Columns come from the header line; NAME is the last column and may contain spaces."""
    rows = lines(text)
    header = next((line for line in rows if "PID" in line.split()), None)
    if header is None:
        return []
    columns = header.split()
    try:
        pid_col = columns.index("PID")
    except ValueError:
        return []
    user_col = columns.index("USER") if "USER" in columns else None
    width = len(columns)
    out = []
    for line in rows:  # the lines after the header
        parts = line.split(None, width - 1)
        if len(parts) < width:
            continue
        name = parts[-1].strip()
        if not name:
            continue
        out.append(ProcessRow(
            name=name,
            pid=_int(parts[pid_col]),
            user=parts[user_col] if user_col is not None else "",
        ))
    return out


def parse_processes_json(data: Any) -> list[ProcessRow]:
    """androidqf ``processes.json``: a list of ``{pid, filename, path, command_line...}``."""
    if not isinstance(data, list):
        return []
    out = []
    for item in data:
        if not isinstance(item, dict):
            continue
        name = ""
        cmd = item.get("command_line")
        if isinstance(cmd, list) and cmd and isinstance(cmd[0], str):
            name = cmd[0]
        if not name:
            name = str(item.get("filename") or "").strip("()")
        if not name:
            continue
        pid = item.get("pid")
        out.append(ProcessRow(name=name, pid=pid if isinstance(pid, int) else None,
                              path=str(item.get("path") or "")))
    return out


def load_processes_json(text: str) -> list[ProcessRow]:
    try:
        return parse_processes_json(load_json(text))
    except ValueError:  # not JSON, nested too deeply (UntrustedInputError)
        return []


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None
