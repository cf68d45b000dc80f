"""A system-wide proxy: every web connection then goes through someone else's machine.

* Linux: ``*_proxy`` variables in ``/etc/environment`` and ``/etc/profile.d/*.sh``, in the
  environment this scan runs in, and GNOME's proxy settings (``gsettings get``, read-only;
  dconf's small runtime file goes to a private temporary folder that is removed, so the
  check leaves no ``~/.cache/dconf`` behind).
* macOS: ``scutil --proxy``.
* Windows: ``Internet Settings`` of the current user in the registry.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence

from exposure.collect.host.base import COLLECTOR, SOURCE, CommandFailed, HostRun, read_system_file
from exposure.collect.host.limits import SHELL_SETTINGS_MAX_FILE
from exposure.collect.host.software.base import clean
from exposure.model import CheckNote
from exposure.observations.host import HostSetting

PROXY_VARIABLES = ("http_proxy", "https_proxy", "ftp_proxy", "all_proxy", "socks_proxy")
_ASSIGN = re.compile(r"^\s*(?:export\s+)?([A-Za-z_]+)\s*=\s*(.*?)\s*$")
INTERNET_SETTINGS = r"Software\Microsoft\Windows\CurrentVersion\Internet Settings"
GNOME_SCHEMA = "org.gnome.system.proxy"
# What the GNOME check asks first (and, on most computers, only): started ahead by the collector.
GNOME_MODE = ("gsettings", "get", GNOME_SCHEMA, "mode")


def _setting(key: str, value: str, location: str) -> HostSetting:
    return HostSetting(COLLECTOR, SOURCE, area="proxy", key=key, value=clean(value, 500), location=location)


def parse_assignments(text: str, location: str) -> Iterator[HostSetting]:
    """``name=value`` lines (shell or /etc/environment syntax) that set a proxy."""
    for line in text.splitlines():
        match = _ASSIGN.match(line)
        if not match or match.group(1).lower() not in PROXY_VARIABLES:
            continue
        value = match.group(2).strip().strip("'\"")
        if value:
            yield _setting(match.group(1).lower(), value, location)


def from_environment(env: Mapping[str, str]) -> Iterator[HostSetting]:
    for name, value in sorted(env.items()):
        if name.lower() in PROXY_VARIABLES and value.strip():
            yield _setting(name.lower(), value.strip(), "environment of this session")


def gnome_available(platform: str) -> bool:
    return platform.startswith("linux") and shutil.which("gsettings") is not None


def gsettings_environment(argv: Sequence[str], folder: str | None) -> dict[str, str] | None:
    """The variables gsettings runs with: dconf's runtime file in ``folder`` (None for any
    other program)."""
    return {"XDG_RUNTIME_DIR": folder} if folder is not None and argv[:1] == ("gsettings",) else None


def _gnome_value(run: HostRun, schema: str, key: str) -> str:
    return run.run(("gsettings", "get", schema, key)).strip().strip("'")


def from_gnome(run: HostRun) -> Iterator[HostSetting]:
    """GNOME's proxy: mode 'manual' (host and port per protocol) or 'auto' (a PAC URL)."""
    mode = _gnome_value(run, GNOME_SCHEMA, "mode")
    location = f"GNOME settings ({GNOME_SCHEMA})"
    if mode == "auto":
        url = _gnome_value(run, GNOME_SCHEMA, "autoconfig-url")
        yield _setting("automatic proxy configuration", url or "(automatic discovery)", location)
    elif mode == "manual":
        for proto in ("http", "https", "socks"):
            schema = f"{GNOME_SCHEMA}.{proto}"
            host = _gnome_value(run, schema, "host")
            port = _gnome_value(run, schema, "port")
            if host:
                yield _setting(f"{proto} proxy", f"{host}:{port}" if port not in ("", "0") else host, location)


def parse_scutil(text: str) -> Iterator[HostSetting]:
    """``scutil --proxy`` prints ``<dictionary> { HTTPEnable : 1  HTTPProxy : host ... }``."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(" : ")
        if sep:
            values[key.strip()] = value.strip()
    location = "network settings (scutil --proxy)"
    for proto in ("HTTP", "HTTPS", "SOCKS", "FTP"):
        if values.get(f"{proto}Enable") == "1" and values.get(f"{proto}Proxy"):
            port = values.get(f"{proto}Port", "")
            host = values[f"{proto}Proxy"]
            yield _setting(f"{proto.lower()} proxy", f"{host}:{port}" if port else host, location)
    if values.get("ProxyAutoConfigEnable") == "1":
        yield _setting("automatic proxy configuration", values.get("ProxyAutoConfigURLString", ""), location)


def from_windows_values(values: Mapping[str, object]) -> Iterator[HostSetting]:
    location = f"HKEY_CURRENT_USER\\{INTERNET_SETTINGS}"
    if values.get("ProxyEnable") in (1, "1") and values.get("ProxyServer"):
        yield _setting("proxy server", str(values["ProxyServer"]), location)
    if values.get("AutoConfigURL"):
        yield _setting("automatic proxy configuration", str(values["AutoConfigURL"]), location)


def _linux(run: HostRun) -> Iterator[HostSetting]:
    files = [run.path("/etc/environment")]
    profile_d = run.path("/etc/profile.d")
    if profile_d.is_dir():
        files += sorted(profile_d.glob("*.sh"))
    for path in files:
        try:
            # Only a regular file is opened, within a size and a time limit (docs/security.md).
            text = read_system_file(path, SHELL_SETTINGS_MAX_FILE).decode("utf-8", "replace") if path.exists() else ""
        except OSError as exc:
            run.warn(CheckNote.of("warn.host.file-unreadable", f"{path} could not be read: {exc.strerror or exc}",
                                  path=path, problem=exc.strerror or exc))
            continue
        yield from parse_assignments(text, str(path))
    run.checked("host.proxy-variables", "proxy variables in /etc/environment, /etc/profile.d and this session")
    if shutil.which("gsettings"):
        try:
            with contextlib.nullcontext() if run.dconf_folder is not None else _private_runtime_dir():
                found = list(from_gnome(run))
            yield from found
            run.checked("host.proxy-gnome", "GNOME proxy settings (of the user running this scan)")
        except CommandFailed:
            run.not_checked("host.proxy-gnome-unread", "GNOME proxy settings (gsettings did not answer)")


@contextlib.contextmanager
def private_dconf_folder() -> Iterator[str]:
    """dconf, which GSettings reads through, creates ``$XDG_RUNTIME_DIR/dconf/user`` (or
    ``~/.cache/dconf/user`` when that is unset) even to read a value. A private temporary
    folder for it (given to gsettings with ``gsettings_environment``), removed afterwards:
    the settings are still read from the user's own database, and nothing is left behind."""
    folder = tempfile.mkdtemp(prefix="exposure-dconf-")
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def _private_runtime_dir() -> Iterator[None]:
    """``private_dconf_folder`` for a ``run`` that does not give gsettings one itself (a
    check run on its own, not by the collector: no helper thread starts a program then)."""
    with private_dconf_folder() as folder:
        previous = os.environ.get("XDG_RUNTIME_DIR")
        os.environ["XDG_RUNTIME_DIR"] = folder
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop("XDG_RUNTIME_DIR", None)
            else:
                os.environ["XDG_RUNTIME_DIR"] = previous


def collect_proxy(run: HostRun, env: Mapping[str, str] | None = None) -> Iterator[HostSetting]:
    if run.platform.startswith("linux"):
        yield from _linux(run)
    elif run.platform == "darwin":
        try:
            yield from parse_scutil(run.run(("scutil", "--proxy")))
            run.checked("host.proxy-macos", "system proxy settings (scutil --proxy)")
        except CommandFailed as exc:
            run.warn(CheckNote.of("warn.host.proxy-unreadable",
                                  f"proxy settings could not be read: {exc}", problem=exc))
            run.not_checked("host.proxy-macos", "system proxy settings")
    elif run.platform == "win32":
        from exposure.collect.host.software.windows import HKCU, WinRegistry

        try:
            yield from from_windows_values(WinRegistry().values(HKCU, INTERNET_SETTINGS))
            run.checked("host.proxy-windows", "proxy settings of the current user (Internet Settings)")
        except OSError:
            run.not_checked("host.proxy-windows", "proxy settings of the current user (Internet Settings)")
    yield from from_environment(os.environ if env is None else env)
