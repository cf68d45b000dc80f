"""What the host collector sees on this computer.

Programs, installed software and connections all answer ``subject()`` with the computer
itself (the observation's ``source``): a tool is one thing on one computer, so when the
same remote-access tool is seen as an installed package, as a running program and as a
connection, the indicator detector groups the hits into ONE finding for that threat,
with all three as evidence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from exposure.model import IndicatorKey, IndicatorType, Observation


@dataclass(frozen=True, slots=True)
class HostProcess(Observation):
    """A program running on this computer: name, process id, file, command line, user, SHA-256."""

    kind = "host-process"
    name: str
    pid: int | None = None
    exe: str = ""
    cmdline: str = ""
    user: str = ""
    exe_sha256: str = ""

    def indicator_keys(self) -> Iterable[IndicatorKey]:
        # A computer's program names only: a phone spyware's process name that a feed lists
        # (an iPhone process may be named like a macOS program) is another program.
        yield IndicatorKey(IndicatorType.DESKTOP_PROCESS, self.name)
        if self.name.lower() != self.name:
            # Windows file names ignore case ("AnyDesk.exe" is "anydesk.exe"): profiles list
            # Windows program names in lower case.
            yield IndicatorKey(IndicatorType.DESKTOP_PROCESS, self.name.lower())
        if self.exe_sha256:
            yield IndicatorKey(IndicatorType.FILE_SHA256, self.exe_sha256)
        if self.exe:
            yield IndicatorKey(IndicatorType.FILE_PATH, self.exe)

    def describe(self) -> str:
        return f"running program {self.name}" + (f" ({self.exe})" if self.exe else "")

    def subject(self) -> str:
        return self.source


@dataclass(frozen=True, slots=True)
class InstalledSoftware(Observation):
    """A package or application installed on this computer."""

    kind = "installed-software"
    name: str  # package name, bundle id, uninstall key or desktop-entry file name
    manager: str  # dpkg | rpm | flatpak | snap | desktop-entry | autostart | macos-app | windows-uninstall
    version: str = ""
    display_name: str = ""
    publisher: str = ""
    path: str = ""
    executable: str = ""  # the program it starts (desktop entries): matched as a program name

    def indicator_keys(self) -> Iterable[IndicatorKey]:
        # Desktop ids only: an Android or iPhone list's id that looks the same is another app
        yield IndicatorKey(IndicatorType.DESKTOP_APP, self.name)
        if self.executable:
            yield IndicatorKey(IndicatorType.DESKTOP_PROCESS, self.executable)

    def describe(self) -> str:
        shown = self.display_name or self.name
        return f"installed software {shown} ({self.manager})"

    def subject(self) -> str:
        return self.source


@dataclass(frozen=True, slots=True)
class HostConnection(Observation):
    """A network connection of this computer: remote address and port, and the program holding it."""

    kind = "host-connection"
    remote_ip: str
    remote_port: int
    local_port: int = 0
    protocol: str = "tcp"
    status: str = ""
    process: str = ""
    pid: int | None = None

    def indicator_keys(self) -> Iterable[IndicatorKey]:
        kind = IndicatorType.IPV6 if ":" in self.remote_ip else IndicatorType.IPV4
        yield IndicatorKey(kind, self.remote_ip)

    def describe(self) -> str:
        by = f" by {self.process}" if self.process else ""
        return f"connection{by} to {self.remote_ip} port {self.remote_port}"

    def subject(self) -> str:
        return self.source


@dataclass(frozen=True, slots=True)
class HostSetting(Observation):
    """A system setting that matters for surveillance: an added root certificate, a
    system-wide proxy, a hosts-file entry."""

    kind = "host-setting"
    area: str  # "root-certificate" | "proxy" | "hosts-entry"
    key: str
    value: str
    location: str = ""  # file or registry key it came from
    detail: str = ""  # more context in words: who issued a certificate, until when

    def indicator_keys(self) -> Iterable[IndicatorKey]:
        # Hosts-file names are NOT looked up as domains: people block known stalkerware
        # servers in their hosts file, and that must not read as an infection.
        if self.area == "root-certificate" and len(self.value) == 64:
            yield IndicatorKey(IndicatorType.CERT_SHA256, self.value)

    def describe(self) -> str:
        return f"{self.area}: {self.key} = {self.value}"

    def subject(self) -> str:
        return f"{self.area}:{self.key}"
