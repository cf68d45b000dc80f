"""Helpers for the host tests: recorded data, a fake registry, a HostRun on a fake tree."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from exposure.collect.host.base import CommandFailed, HostRun
from exposure.model import SourceInfo
from tests.said import keep_english

DATA = Path(__file__).resolve().parent / "data"


def recorded(name: str) -> str:
    return (DATA / name).read_text("utf-8")


class FakeRegistry:
    """The Registry interface over ``{full key path: values}``; the 32-bit view of HKLM
    maps SOFTWARE\\X to SOFTWARE\\WOW6432Node\\X, as Windows does."""

    def __init__(self, keys: dict[str, dict[str, Any]]) -> None:
        self.keys = {k.lower(): v for k, v in keys.items() if not k.startswith("_")}
        self.names = {k.lower(): k for k in keys}

    @classmethod
    def recorded(cls) -> FakeRegistry:
        return cls(json.loads(recorded("windows-registry.json")))

    def _full(self, hive: str, path: str, view: str) -> str:
        if hive == "HKEY_LOCAL_MACHINE" and view == "32" and path.upper().startswith("SOFTWARE\\"):
            path = "SOFTWARE\\WOW6432Node\\" + path[len("SOFTWARE\\"):]
        return f"{hive}\\{path}".rstrip("\\").lower()

    def subkeys(self, hive: str, path: str, view: str = "64") -> list[str]:
        prefix = self._full(hive, path, view) + "\\"
        found: list[str] = []
        for key in self.keys:
            if key.startswith(prefix):
                child = self.names[key][len(prefix):].split("\\")[0]
                if child not in found:
                    found.append(child)
        if not found and self._full(hive, path, view) not in self.keys:
            raise FileNotFoundError(path)
        return found

    def values(self, hive: str, path: str, view: str = "64") -> dict[str, object]:
        full = self._full(hive, path, view)
        if full not in self.keys:
            raise FileNotFoundError(path)
        return dict(self.keys[full])


def fake_commands(outputs: dict[str, str]) -> Callable[[Sequence[str]], str]:
    """A run_command stand-in: the recorded output for a program name, else 'not installed'."""

    def run(argv: Sequence[str]) -> str:
        if argv[0] in outputs:
            return outputs[argv[0]]
        raise CommandFailed(f"{argv[0]} is not installed")

    return run


def host_run(root: Path | None = None, platform: str = "linux", **kwargs: Any) -> tuple[HostRun, list[str]]:
    warnings: list[str] = []
    run = HostRun(info=SourceInfo(kind="host", name="this computer"), warn=keep_english(warnings),
                  platform=platform, root=root or Path("/"), **kwargs)
    return run, warnings
