"""Root certificates that were added to the system's trust store, beyond the OS bundle.

Whoever holds the key of a trusted root certificate can read this computer's encrypted
web traffic when it passes through them (a monitoring proxy works this way). Employers,
schools and some antivirus programs add one legitimately; the detector explains both.

* Linux: the folders where an administrator adds certificates (Debian/Ubuntu
  ``/usr/local/share/ca-certificates``, Fedora/RHEL ``/etc/pki/ca-trust/source/anchors``,
  openSUSE ``/etc/pki/trust/anchors``, Arch ``/etc/ca-certificates/trust-source/anchors``);
  entries of ``/etc/ca-certificates.conf`` outside the Mozilla bundle; certificates in
  ``/etc/ssl/certs`` that do not come from ``/usr/share/ca-certificates``; and certificates
  in the combined file ``/etc/ssl/certs/ca-certificates.crt`` that come from none of these
  (appended to it by hand).
* macOS: self-signed certificates in the System keychain (``security find-certificate``);
  Apple's roots live in a separate keychain.
* Windows: not read yet (the LocalMachine Root store mixes Microsoft's and added roots).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import stat
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from exposure.collect.bounded import TimedOut, call_with_timeout
from exposure.collect.host import certfacts
from exposure.collect.host.base import COLLECTOR, SOURCE, CommandFailed, HostRun, read_system_file
from exposure.collect.host.limits import CERT_COMPARE_TIMEOUT, CERT_MAX_BUNDLE, CERT_MAX_FILE
from exposure.collect.host.software.base import clean
from exposure.model import CheckNote
from exposure.observations.host import HostSetting
from exposure.untrusted import FileTooLarge, UnreadableFile, read_regular_file

if TYPE_CHECKING:
    from cryptography import x509

# cryptography (~25 ms to load) is imported only for a certificate that ``certfacts`` does not
# read itself (an unusual encoding): on Linux, the check compares fingerprints (hashlib) and
# reads the usual added certificates with certfacts.

ADDED_FOLDERS = (
    "/usr/local/share/ca-certificates",
    "/etc/pki/ca-trust/source/anchors",
    "/etc/pki/trust/anchors",
    "/etc/ca-certificates/trust-source/anchors",
)
BUNDLE_FOLDER = "/usr/share/ca-certificates"
BUNDLE_CONF = "/etc/ca-certificates.conf"
SSL_CERTS = "/etc/ssl/certs"
BUNDLE_FILE = "/etc/ssl/certs/ca-certificates.crt"  # what update-ca-certificates builds
# Debian's ssl-cert package puts this machine's own self-signed server certificate here;
# it is not a certificate authority that anyone added.
_NOT_ADDED = frozenset({"ssl-cert-snakeoil.pem"})
MAC_KEYCHAIN = "/Library/Keychains/System.keychain"
_CERT_SUFFIXES = (".crt", ".pem", ".cer", ".der")
_BEGIN, _END = b"-----BEGIN CERTIFICATE-----", b"-----END CERTIFICATE-----"


def pem_blocks(data: bytes) -> list[bytes]:
    """Every ``-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----`` block, from each
    BEGIN to the first END after it (as the regular expression ``BEGIN.+?END`` would find
    them, several times faster on a bundle of ~150 certificates)."""
    out: list[bytes] = []
    at = 0
    while (start := data.find(_BEGIN, at)) >= 0:
        end = data.find(_END, start + len(_BEGIN) + 1)
        if end < 0:
            break
        at = end + len(_END)
        out.append(data[start:at])
    return out


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Every certificate in a PEM (one or several) or DER blob; bad blocks are skipped."""
    from cryptography import x509

    out: list[x509.Certificate] = []
    blocks = pem_blocks(data)
    with warnings.catch_warnings():
        # Some shipped roots have a negative serial number; that is not our business here.
        warnings.simplefilter("ignore")
        if not blocks:
            try:
                return [x509.load_der_x509_certificate(data)]
            except ValueError:
                return []
        for block in blocks:
            try:
                out.append(x509.load_pem_x509_certificate(block))
            except ValueError:
                continue
    return out


def _body(block: bytes) -> bytes:
    """A PEM block's base64 text, without its BEGIN and END lines and line breaks."""
    return b"".join(block.splitlines()[1:-1])


def _fingerprint(body: bytes) -> str | None:
    """SHA-256 of the DER a PEM body encodes; None when it is not base64."""
    try:
        return hashlib.sha256(base64.b64decode(body, validate=False)).hexdigest()
    except (binascii.Error, ValueError):
        return None


def describe(cert: x509.Certificate) -> tuple[str, str, str]:
    """(name, SHA-256 fingerprint in hex, details) of a certificate."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    try:
        names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        name = str(names[0].value) if names else cert.subject.rfc4514_string()
    except ValueError:
        name = "(unreadable name)"
    fingerprint = cert.fingerprint(hashes.SHA256()).hex()
    try:
        issuer = cert.issuer.rfc4514_string()
        until = cert.not_valid_after_utc.date().isoformat()
        detail = f"issued by {issuer}; valid until {until}"
    except ValueError:
        detail = ""
    return clean(name, 200) or "(no name)", fingerprint, clean(detail, 400)


def described(data: bytes) -> list[tuple[str, str, str]]:
    """``describe`` for every certificate in a PEM (one or several) or DER blob, bad blocks
    skipped: read by ``certfacts`` when it can, else by ``cryptography`` (same words)."""
    out: list[tuple[str, str, str]] = []
    blocks = pem_blocks(data)
    for block in blocks or [data]:
        try:
            name, fingerprint, until, issuer = certfacts.facts(certfacts.pem_body(block) if blocks else block)
        except certfacts.NotPlain:
            out += [describe(cert) for cert in load_certificates(block)]
            continue
        detail = f"issued by {issuer}; valid until {until.isoformat()}"
        out.append((clean(name, 200) or "(no name)", fingerprint, clean(detail, 400)))
    return out


def _setting(path: Path, cert: x509.Certificate | tuple[str, str, str], how: str) -> HostSetting:
    name, fingerprint, detail = cert if isinstance(cert, tuple) else describe(cert)
    return HostSetting(COLLECTOR, SOURCE, area="root-certificate", key=name, value=fingerprint,
                       location=str(path), detail=f"{how}; {detail}" if detail else how)


def _read(run: HostRun, path: Path) -> list[tuple[str, str, str]]:
    try:
        return described(read_system_file(path, CERT_MAX_FILE))
    except FileTooLarge:
        run.warn(CheckNote.of("warn.host.certificate-too-large",
                              f"{path} is too large to be a certificate; skipped",
                              path=path))
        return []
    except OSError as exc:
        run.warn(CheckNote.of("warn.host.file-unreadable", f"{path} could not be read: {exc.strerror or exc}",
                              path=path, problem=exc.strerror or exc))
        return []


def _linux(run: HostRun) -> Iterator[HostSetting]:
    """Certificates an administrator added, in each place a Linux system keeps them."""
    seen: set[str] = set()
    looked = 0
    added_roots: list[Path] = []
    places = (_added_folders(run, added_roots), _bundle_conf_entries(run), _ssl_certs_links(run, added_roots))
    for place in places:
        for path, why in place:
            if path is None:  # the place exists and was looked at
                looked += 1
                continue
            for cert in _read(run, path):
                setting = _setting(path, cert, why)
                if setting.value not in seen:
                    seen.add(setting.value)
                    yield setting
    yield from _appended(run, seen)
    if looked:
        run.checked("host.root-certificates", f"root certificates added to the system store ({len(seen)} found)",
                    count=len(seen))
    else:
        run.not_checked("host.root-certificates-no-folder",
                        "root certificates: no known system certificate folder on this Linux system")
    run.not_checked("host.browser-certificates", "certificate stores of individual browsers (Firefox keeps its own)")


# Each place yields (None, "") once when it exists, then (file, why it counts as added).
_Place = Iterator[tuple[Path | None, str]]


def _added_folders(run: HostRun, added_roots: list[Path]) -> _Place:
    for folder in ADDED_FOLDERS:
        base = run.path(folder)
        if not base.is_dir():
            continue
        yield None, ""
        added_roots.append(base.resolve())
        for path in sorted(base.rglob("*")):
            if path.is_file() and path.suffix.lower() in _CERT_SUFFIXES:
                yield path, "added by an administrator"


def _bundle_conf_entries(run: HostRun) -> _Place:
    conf = run.path(BUNDLE_CONF)
    if not conf.is_file():
        return
    yield None, ""
    try:
        lines = read_system_file(conf, CERT_MAX_FILE).decode("utf-8", "replace").splitlines()
    except OSError:
        lines = []
    for line in lines:
        entry = line.strip()
        if not entry or entry.startswith(("#", "!")) or entry.startswith("mozilla/") or ".." in entry:
            continue
        yield run.path(BUNDLE_FOLDER) / entry, f"listed in {BUNDLE_CONF} outside the Mozilla bundle"


def _ssl_certs_links(run: HostRun, added_roots: list[Path]) -> _Place:
    """Files in /etc/ssl/certs that neither the distribution's bundle nor an added folder explains
    (``added_roots`` is filled by :func:`_added_folders`, which runs first)."""
    certs = run.path(SSL_CERTS)
    if not certs.is_dir():
        return
    yield None, ""
    # names and resolved paths as text (pathlib cost ~3 ms for the ~150 links), in the order of
    # sorted(certs.iterdir()): one folder's entries sort by name
    explained = [str(run.path(BUNDLE_FOLDER).resolve()), *map(str, added_roots)]
    resolve = Resolver()
    for name in sorted(os.listdir(certs)):
        if _suffix(name).lower() not in (".pem", ".crt") or name.startswith("ca-certificates") or name in _NOT_ADDED:
            continue
        path = certs / name
        target = resolve(str(path))
        if any(_within(target, folder) for folder in explained):
            continue
        if os.path.isfile(target):
            yield path, f"in {SSL_CERTS} but not from the distribution's bundle"


def _suffix(name: str) -> str:
    """``PurePath(name).suffix``."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def _within(path: str, folder: str) -> bool:
    """``Path(path).is_relative_to(folder)`` for two resolved (normalised, absolute) paths."""
    return path == folder or path.startswith(folder.rstrip("/") + "/")


class Resolver:
    """``os.path.realpath`` (what ``Path.resolve()`` does) for the ~150 links of one folder to
    files of a few others: each folder is resolved once, then each link by its target alone
    (``realpath`` walks every part of every path again, ~7 ms for /etc/ssl/certs). Anything
    unusual in a target (``.`` or ``..`` after a name, ``//``, a chain longer than 8) goes
    to ``realpath`` itself."""

    def __init__(self) -> None:
        self._folders: dict[str, str] = {}

    def __call__(self, path: str) -> str:
        return self._resolve(path, path, 0)

    def _resolve(self, path: str, asked: str, depth: int) -> str:
        folder, name = os.path.split(path)
        if name in ("", ".", "..") or depth > 8:
            return os.path.realpath(asked)
        base = self._folders.get(folder)
        if base is None:
            base = self._folders[folder] = os.path.realpath(folder)
        full = os.path.join(base, name)
        try:
            target = os.readlink(full)
        except OSError:
            return full  # not a link (or not there): realpath keeps the name as it is
        if os.path.isabs(target):
            return self._resolve(target, asked, depth + 1)
        parts = target.split("/")
        ups = 0
        while ups < len(parts) and parts[ups] == "..":
            ups += 1
        rest = parts[ups:]
        if not rest or any(part in ("", ".", "..") for part in rest):
            return os.path.realpath(asked)
        for _ in range(ups):
            base = os.path.dirname(base)  # a resolved folder: its parent is its parent by name
        return self._resolve(os.path.join(base, *rest), asked, depth + 1)


def _appended(run: HostRun, seen: set[str]) -> Iterator[HostSetting]:
    """Certificates in the combined bundle file that no known source explains."""
    bundle_file = run.path(BUNDLE_FILE)
    shipped = run.path(BUNDLE_FOLDER)
    if not bundle_file.is_file() or not shipped.is_dir():
        return
    try:
        try:
            shipped_blocks, in_bundle = call_with_timeout(lambda: _bundle_and_sources(shipped, bundle_file),
                                                          CERT_COMPARE_TIMEOUT)
        except TimedOut:
            raise UnreadableFile(f"no answer within {CERT_COMPARE_TIMEOUT:g} s") from None
    except FileTooLarge:
        run.warn(CheckNote.of("warn.host.bundle-too-large",
                              f"{BUNDLE_FILE} is unusually large; it was not compared", path=BUNDLE_FILE))
        return
    except OSError as exc:
        run.warn(CheckNote.of("warn.host.bundle-unreadable",
                              f"the certificate bundle could not be compared: {exc.strerror or exc}",
                              problem=exc.strerror or exc))
        return
    # A block that is, letter for letter, a shipped certificate's is that certificate (how the
    # bundle is made: byte for byte, else but for its line breaks); any other is compared by its
    # fingerprint, to the shipped certificates' only when it is not one found already (on most
    # systems never: ~3 ms of decoding saved).
    shipped_whole = set(shipped_blocks)
    shipped_bodies: set[bytes] | None = None
    shipped_prints: set[str] | None = None
    for block in in_bundle:
        if block in shipped_whole:
            continue
        body = _body(block)
        if shipped_bodies is None:
            shipped_bodies = {_body(b) for b in shipped_blocks}
        if body in shipped_bodies:
            continue
        fingerprint = _fingerprint(body)
        if fingerprint is None or fingerprint in seen:
            continue
        if shipped_prints is None:
            shipped_prints = {f for b in shipped_blocks if (f := _fingerprint(_body(b))) is not None}
        if fingerprint in shipped_prints:
            continue
        for cert in described(block):
            setting = _setting(bundle_file, cert, f"in {BUNDLE_FILE} but in none of the folders it is built from")
            if setting.value not in seen:
                seen.add(setting.value)
                yield setting


def _bundle_and_sources(shipped: Path, bundle_file: Path) -> tuple[list[bytes], list[bytes]]:
    """(PEM blocks of the certificates under ``shipped``, those of the combined bundle). One
    call for all the files, run in one helper thread under one time limit: a file system that
    never answers costs ``CERT_COMPARE_TIMEOUT``, and any file that cannot be read means the
    bundle is not compared (a certificate of that file would look appended). Special files are
    never opened (``read_regular_file``); oversized ones are left out."""
    blocks: list[bytes] = []
    for path in shipped.rglob("*.crt"):
        try:
            found = path.stat()
        except (OSError, ValueError):
            continue  # gone, or a link to nothing
        if stat.S_ISREG(found.st_mode) and found.st_size <= CERT_MAX_FILE:
            blocks += pem_blocks(read_regular_file(path, CERT_MAX_FILE))
    return blocks, pem_blocks(read_regular_file(bundle_file, CERT_MAX_BUNDLE))


def _mac(run: HostRun) -> Iterator[HostSetting]:
    try:
        text = run.run(("security", "find-certificate", "-a", "-p", MAC_KEYCHAIN))
    except CommandFailed as exc:
        run.warn(CheckNote.of("warn.host.keychain-unreadable",
                              f"root certificates in the System keychain could not be read: {exc}", problem=exc))
        run.not_checked("host.root-certificates-macos-unread", "root certificates added to the System keychain")
        return
    count = 0
    for cert in load_certificates(text.encode("utf-8", "replace")):
        if cert.subject != cert.issuer:
            continue  # intermediates and leaf certificates are not roots
        count += 1
        yield _setting(Path(MAC_KEYCHAIN), cert, "in the System keychain (added, not one of Apple's roots)")
    run.checked("host.root-certificates-macos",
                f"self-signed certificates added to the System keychain ({count} found)", count=count)
    run.not_checked("host.login-keychains", "certificates in users' login keychains")


def collect_root_certificates(run: HostRun) -> Iterator[HostSetting]:
    if run.platform.startswith("linux"):
        yield from _linux(run)
    elif run.platform == "darwin":
        yield from _mac(run)
    elif run.platform == "win32":
        run.not_checked("host.root-certificates-windows",
                        "root certificates in the Windows certificate store (not read yet: it mixes"
                        " Microsoft's roots with added ones)")
    else:
        run.not_checked("host.root-certificates-unsupported", f"root certificates (not supported on {run.platform})",
                        platform=run.platform)
