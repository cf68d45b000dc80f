"""How the root-certificate check reads the distribution's certificates and the combined
bundle: all in one bounded call (one helper thread, one time limit), never one per file;
a file that cannot be read or never answers costs the comparison, with a warning, and
never the certificates found in the other places."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from exposure.collect.base import CheckNote
from exposure.collect.bounded import call_with_timeout
from exposure.collect.host import rootcerts
from exposure.collect.host.limits import CERT_COMPARE_TIMEOUT
from exposure.untrusted import read_regular_file
from tests.host.helpers import host_run
from tests.host.test_settings import _debian_tree, _fingerprint

# What the other places give on the Debian-like tree, without the bundle comparison.
_OTHERS = {"Corp Proxy CA", "Extra CA", "Dropped CA"}


def _scan(root: Path) -> tuple[dict[str, str], list[CheckNote]]:
    said: list[str | CheckNote] = []
    run, _ = host_run(root=root)
    run.warn = said.append
    found = {s.key: s.value for s in rootcerts.collect_root_certificates(run)}
    return found, [w for w in said if isinstance(w, CheckNote)]


def test_the_shipped_certificates_are_read_in_one_helper_call(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    certs = _debian_tree(tmp_path)
    for n in range(30):  # many shipped files: still one call
        (tmp_path / f"usr/share/ca-certificates/mozilla/copy{n}.crt").write_bytes(
            (tmp_path / "usr/share/ca-certificates/mozilla/Bundle_Root_A.crt").read_bytes())
    calls: list[float] = []
    real = call_with_timeout

    def counted(function, timeout):  # type: ignore[no-untyped-def]
        calls.append(timeout)
        return real(function, timeout)

    monkeypatch.setattr(rootcerts, "call_with_timeout", counted)
    found, warnings = _scan(tmp_path)
    assert calls == [CERT_COMPARE_TIMEOUT]
    assert set(found) == _OTHERS | {"Appended CA"}
    assert found["Appended CA"] == _fingerprint(certs["Appended CA"])
    assert warnings == []


def test_an_unreadable_shipped_file_skips_the_comparison_with_a_warning(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _debian_tree(tmp_path)
    real = read_regular_file

    def refusing(path, limit, **kw):  # type: ignore[no-untyped-def]
        if Path(path).name == "Bundle_Root_B.crt":
            raise PermissionError(13, "Permission denied")
        return real(path, limit, **kw)

    monkeypatch.setattr(rootcerts, "read_regular_file", refusing)
    found, warnings = _scan(tmp_path)
    # Bundle Root B would look appended if the comparison went on without it: it does not.
    assert set(found) == _OTHERS
    assert [(w.key, dict(w.params)["problem"]) for w in warnings] == [("warn.host.bundle-unreadable",
                                                                       "Permission denied")]


@pytest.mark.timeout(30)
def test_a_read_that_never_answers_costs_one_time_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _debian_tree(tmp_path)
    never = threading.Event()
    real = read_regular_file

    def hanging(path, limit, **kw):  # type: ignore[no-untyped-def]
        if Path(path).name == "extra.crt" and threading.current_thread() is not threading.main_thread():
            never.wait(30)
        return real(path, limit, **kw)

    monkeypatch.setattr(rootcerts, "read_regular_file", hanging)
    monkeypatch.setattr(rootcerts, "CERT_COMPARE_TIMEOUT", 0.3)
    started = time.monotonic()
    try:
        found, warnings = _scan(tmp_path)
    finally:
        never.set()
    assert time.monotonic() - started < 5
    assert set(found) == _OTHERS
    assert len(warnings) == 1 and warnings[0].key == "warn.host.bundle-unreadable"
    assert dict(warnings[0].params)["problem"] == "no answer within 0.3 s"


def test_links_are_resolved_as_path_resolve_does(tmp_path: Path) -> None:
    """The folder-remembering resolver of /etc/ssl/certs gives what ``Path.resolve()`` gives,
    for every kind of link a trust store (or someone hiding a certificate) can hold."""
    import os

    shared = tmp_path / "usr/share/ca-certificates/mozilla"
    shared.mkdir(parents=True)
    (shared / "A.crt").write_text("a")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere/B.crt").write_text("b")
    os.symlink("mozilla", tmp_path / "usr/share/ca-certificates/linked-folder")
    certs = tmp_path / "etc/ssl/certs"
    certs.mkdir(parents=True)
    os.symlink("../../../usr/share/ca-certificates/mozilla/A.crt", certs / "relative.pem")
    os.symlink(str(shared / "A.crt"), certs / "absolute.pem")
    os.symlink("relative.pem", certs / "chain.pem")
    os.symlink("../../../usr/share/ca-certificates/linked-folder/A.crt", certs / "through-a-folder-link.pem")
    os.symlink("../../../elsewhere/../usr/share/ca-certificates/mozilla/A.crt", certs / "dots-inside.pem")
    os.symlink("../../..//elsewhere/B.crt", certs / "double-slash.pem")
    os.symlink("./B.crt", certs / "dot.pem")
    os.symlink("missing.crt", certs / "dangling.pem")
    os.symlink("loop-b.pem", certs / "loop-a.pem")
    os.symlink("loop-a.pem", certs / "loop-b.pem")
    os.symlink("../../../../../../../../../../../../elsewhere/B.crt", certs / "above-the-root.pem")
    (certs / "plain.pem").write_text("p")
    os.symlink("../../../usr/share/ca-certificates/linked-folder", tmp_path / "etc/ssl/folder-link")
    resolve = rootcerts.Resolver()
    paths = [*sorted(certs.iterdir()), tmp_path / "etc/ssl/folder-link/A.crt", tmp_path / "etc/ssl/folder-link"]
    for path in paths:
        if path.name.startswith("loop"):
            # Path.resolve() raises RuntimeError on a loop (the check stopped there before);
            # the resolver answers as os.path.realpath does, and the check goes on
            assert resolve(str(path)) == os.path.realpath(path)
            continue
        assert resolve(str(path)) == str(path.resolve()), path.name
