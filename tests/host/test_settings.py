"""Added root certificates, proxy settings and the hosts file, on fake trees, and the
heuristics that judge them."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from exposure.collect.base import CheckNote
from exposure.collect.host import hostsfile, proxy, rootcerts
from exposure.detect.base import DetectContext
from exposure.detect.host import RULES, HostHeuristics, well_known
from exposure.indicators.index import IndicatorIndex
from exposure.model import Category, Finding, Severity
from exposure.observations.host import HostSetting
from tests.host.helpers import fake_commands, host_run


def _cert(name: str) -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=365))
            .sign(key, hashes.SHA256()))


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def _debian_tree(root: Path) -> dict[str, x509.Certificate]:
    """A Debian-like trust store: two bundle roots, one admin-added, one listed outside the
    bundle in ca-certificates.conf, one dropped straight into /etc/ssl/certs."""
    names = ("Bundle Root A", "Bundle Root B", "Corp Proxy CA", "Extra CA", "Dropped CA", "Appended CA",
             "snakeoil")
    certs = {name: _cert(name) for name in names}
    mozilla = root / "usr/share/ca-certificates/mozilla"
    mozilla.mkdir(parents=True)
    (mozilla / "Bundle_Root_A.crt").write_bytes(_pem(certs["Bundle Root A"]))
    (mozilla / "Bundle_Root_B.crt").write_bytes(_pem(certs["Bundle Root B"]))
    extra = root / "usr/share/ca-certificates/extra"
    extra.mkdir()
    (extra / "extra.crt").write_bytes(_pem(certs["Extra CA"]))
    local = root / "usr/local/share/ca-certificates/corp"
    local.mkdir(parents=True)
    (local / "proxy.crt").write_bytes(_pem(certs["Corp Proxy CA"]) + b"\n")
    (local / "notes.txt").write_text("not a certificate")
    etc = root / "etc"
    (etc / "ssl/certs").mkdir(parents=True)
    (etc / "ca-certificates.conf").write_text(
        "# comment\nmozilla/Bundle_Root_A.crt\nmozilla/Bundle_Root_B.crt\n!mozilla/Old.crt\nextra/extra.crt\n"
        "../../../etc/shadow\n")
    certs_dir = etc / "ssl/certs"
    os.symlink("../../../usr/share/ca-certificates/mozilla/Bundle_Root_A.crt", certs_dir / "Bundle_Root_A.pem")
    os.symlink("../../../usr/share/ca-certificates/mozilla/Bundle_Root_B.crt", certs_dir / "Bundle_Root_B.pem")
    os.symlink("Bundle_Root_A.pem", certs_dir / "1a2b3c4d.0")
    os.symlink("../../../usr/local/share/ca-certificates/corp/proxy.crt", certs_dir / "proxy.pem")
    (certs_dir / "dropped.pem").write_bytes(_pem(certs["Dropped CA"]))
    (certs_dir / "ssl-cert-snakeoil.pem").write_bytes(_pem(certs["snakeoil"]))
    in_bundle = [c for name, c in certs.items() if name not in ("Dropped CA", "snakeoil")]
    (certs_dir / "ca-certificates.crt").write_bytes(b"".join(_pem(c) for c in in_bundle))
    return certs


def test_added_root_certificates_on_a_debian_tree(tmp_path: Path) -> None:
    certs = _debian_tree(tmp_path)
    run, warnings = host_run(root=tmp_path)
    found = {s.key: s for s in rootcerts.collect_root_certificates(run)}
    # never the bundle's roots, nor the machine's own snakeoil server certificate
    assert set(found) == {"Corp Proxy CA", "Extra CA", "Dropped CA", "Appended CA"}
    assert found["Corp Proxy CA"].value == _fingerprint(certs["Corp Proxy CA"])
    assert found["Corp Proxy CA"].detail.startswith("added by an administrator; issued by CN=Corp Proxy CA")
    assert "outside the Mozilla bundle" in found["Extra CA"].detail
    assert "not from the distribution's bundle" in found["Dropped CA"].detail
    assert "in none of the folders it is built from" in found["Appended CA"].detail
    assert run.info.checked == [CheckNote("host.root-certificates", (("count", "4"),),
                                          "root certificates added to the system store (4 found)")]
    assert warnings == []


def test_no_certificate_folders_is_said(tmp_path: Path) -> None:
    run, _ = host_run(root=tmp_path)
    assert list(rootcerts.collect_root_certificates(run)) == []
    assert run.info.not_checked[0].key == "host.root-certificates-no-folder"
    assert run.info.not_checked[0].text.startswith("root certificates: no known system certificate folder")


def test_macos_keychain_keeps_only_self_signed(tmp_path: Path) -> None:
    root = _cert("Monitoring Root")
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "leaf")]))
            .issuer_name(root.subject).public_key(leaf_key.public_key()).serial_number(2)
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(ec.generate_private_key(ec.SECP256R1()), hashes.SHA256()))
    output = (_pem(root) + _pem(leaf)).decode()
    run, _ = host_run(platform="darwin", run=fake_commands({"security": output}))
    found = list(rootcerts.collect_root_certificates(run))
    assert [s.key for s in found] == ["Monitoring Root"]

    run, warnings = host_run(platform="darwin", run=fake_commands({}))
    assert list(rootcerts.collect_root_certificates(run)) == []
    assert warnings and "could not be read" in warnings[0]


def test_windows_root_store_is_listed_as_not_checked() -> None:
    run, _ = host_run(platform="win32")
    assert list(rootcerts.collect_root_certificates(run)) == []
    assert run.info.not_checked[0].key == "host.root-certificates-windows"
    assert "Windows certificate store" in run.info.not_checked[0].text


def test_load_certificates_skips_garbage() -> None:
    good = _cert("ok")
    blob = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n" + _pem(good)
    assert [c.serial_number for c in rootcerts.load_certificates(blob)] == [1]
    assert rootcerts.load_certificates(b"\x00\x01garbage") == []


def test_proxy_from_files_gnome_and_environment(tmp_path: Path) -> None:
    (tmp_path / "etc/profile.d").mkdir(parents=True)
    (tmp_path / "etc/environment").write_text(
        'PATH="/usr/bin"\nhttp_proxy="http://10.0.0.8:3128"\nHTTPS_PROXY=http://10.0.0.8:3128\nno_proxy=localhost\n')
    (tmp_path / "etc/profile.d/corp.sh").write_text("export all_proxy='socks5://192.0.2.1:1080'\n# http_proxy=x\n")
    answers = {("gsettings", "get", "org.gnome.system.proxy", "mode"): "'manual'\n",
               ("gsettings", "get", "org.gnome.system.proxy.http", "host"): "'192.0.2.7'\n",
               ("gsettings", "get", "org.gnome.system.proxy.http", "port"): "8080\n"}
    run, _ = host_run(root=tmp_path, run=lambda argv: answers.get(tuple(argv), "''\n"))
    settings = [*proxy._linux(run), *proxy.from_gnome(run), *proxy.from_environment({"HTTP_PROXY": "x:1"})]
    seen = {(s.key, s.value) for s in settings}
    assert ("http_proxy", "http://10.0.0.8:3128") in seen
    assert ("https_proxy", "http://10.0.0.8:3128") in seen
    assert ("all_proxy", "socks5://192.0.2.1:1080") in seen
    assert ("http proxy", "192.0.2.7:8080") in seen
    assert ("http_proxy", "x:1") in seen
    assert not any(s.key == "no_proxy" or s.value == "/usr/bin" for s in settings)


def test_proxy_from_scutil_and_windows_values() -> None:
    scutil = """<dictionary> {
  ExceptionsList : <array> {
    0 : *.local
  }
  HTTPEnable : 1
  HTTPPort : 8888
  HTTPProxy : 192.0.2.9
  HTTPSEnable : 0
  HTTPSProxy : 192.0.2.10
  ProxyAutoConfigEnable : 1
  ProxyAutoConfigURLString : http://192.0.2.9/proxy.pac
}"""
    seen = {(s.key, s.value) for s in proxy.parse_scutil(scutil)}
    assert seen == {("http proxy", "192.0.2.9:8888"), ("automatic proxy configuration", "http://192.0.2.9/proxy.pac")}
    values = {"ProxyEnable": 1, "ProxyServer": "192.0.2.3:8080", "AutoConfigURL": ""}
    assert [(s.key, s.value) for s in proxy.from_windows_values(values)] == [("proxy server", "192.0.2.3:8080")]
    assert list(proxy.from_windows_values({"ProxyEnable": 0, "ProxyServer": "192.0.2.3:8080"})) == []


HOSTS = """# /etc/hosts
127.0.0.1\tlocalhost
::1 localhost ip6-localhost ip6-loopback
127.0.1.1 mylaptop
203.0.113.5 accounts.google.com mail.google.com  # someone's sign-in page
0.0.0.0 facebook.com
192.0.2.44 notgoogle.com
198.51.100.2 WEB.WhatsApp.com.
not-an-ip somewhere.example
10.0.0.2
"""


def test_hosts_file_entries() -> None:
    entries, bad = hostsfile.parse(HOSTS, "/etc/hosts")
    pairs = [(e.key, e.value) for e in entries]
    assert ("localhost", "127.0.0.1") not in pairs
    assert ("accounts.google.com", "203.0.113.5") in pairs
    assert ("web.whatsapp.com", "198.51.100.2") in pairs
    assert ("mylaptop", "127.0.1.1") in pairs
    assert bad == 2


def test_hosts_file_read_from_tree(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/hosts").write_text(HOSTS)
    run, warnings = host_run(root=tmp_path)
    assert len(list(hostsfile.collect_hosts(run))) == 6
    assert warnings == ["2 lines of the hosts file are not 'address name' lines and were skipped"]
    run, warnings = host_run(root=tmp_path / "missing")
    assert list(hostsfile.collect_hosts(run)) == []
    assert run.info.checked == [CheckNote("host.hosts-file-absent", (("path", "/etc/hosts"),),
                                          "the hosts file (/etc/hosts): not present")]


def _judge(settings: list[HostSetting]) -> list[Finding]:
    detector = HostHeuristics()
    ctx = DetectContext(index=IndicatorIndex())
    for s in settings:
        assert list(detector.observe(s, ctx)) == []
    return list(detector.finish(ctx))


def _setting(area: str, key: str, value: str) -> HostSetting:
    return HostSetting("host", "this computer", area=area, key=key, value=value, location="x")


def test_hosts_redirects_only_for_listed_services() -> None:
    entries, _ = hostsfile.parse(HOSTS, "/etc/hosts")
    findings = _judge(entries)
    assert sorted(f.subject for f in findings) == ["hosts-entry:accounts.google.com", "hosts-entry:mail.google.com",
                                                   "hosts-entry:web.whatsapp.com"]
    assert {f.rule for f in findings} == {"host.hosts-redirect"}
    assert all(f.severity is Severity.MEDIUM and f.category is Category.HEURISTIC for f in findings)
    assert findings[0].param("service") in {"google.com", "whatsapp.com"}
    assert well_known("notgoogle.com") == "" and well_known("google.com.evil.example") == ""


def test_root_certificate_and_proxy_raise_each_other() -> None:
    cert = _setting("root-certificate", "Corp CA", "ab" * 32)
    alone = _judge([cert])
    assert [(f.rule, f.severity) for f in alone] == [("host.added-root-cert", Severity.LOW)]
    both = _judge([cert, _setting("proxy", "http_proxy", "http://10.0.0.8:3128"),
                   _setting("proxy", "https_proxy", "http://10.0.0.8:3128")])
    assert sorted((f.rule, f.severity) for f in both) == [("host.added-root-cert", Severity.MEDIUM),
                                                          ("host.system-proxy", Severity.MEDIUM)]
    proxy_finding = next(f for f in both if f.rule == "host.system-proxy")
    assert proxy_finding.param("settings") == "http_proxy, https_proxy"
    assert {f.rule for f in both} <= set(RULES)


def test_the_bundle_is_compared_by_fingerprint_whatever_its_line_breaks(tmp_path: Path) -> None:
    """A bundle block is compared letter for letter with the shipped certificates first, then by
    the fingerprint of its DER: a shipped root written with other line breaks (the same
    certificate) is not appended, one written nowhere else is, an added one is found once."""
    certs = _debian_tree(tmp_path)
    bundle = tmp_path / "etc/ssl/certs/ca-certificates.crt"
    rewrapped = _pem(certs["Bundle Root B"]).replace(b"\n", b"\n\n").replace(b"\n\n-----END", b"\n-----END")
    assert rewrapped != _pem(certs["Bundle Root B"])
    late = _cert("Late Appended CA")
    bundle.write_bytes(bundle.read_bytes().replace(_pem(certs["Bundle Root B"]), rewrapped) + _pem(late))
    run, warnings = host_run(root=tmp_path)
    found = {s.key: s for s in rootcerts.collect_root_certificates(run)}
    assert set(found) == {"Corp Proxy CA", "Extra CA", "Dropped CA", "Appended CA", "Late Appended CA"}
    assert found["Late Appended CA"].value == _fingerprint(late)
    assert "in none of the folders it is built from" in found["Late Appended CA"].detail
    assert "added by an administrator" in found["Corp Proxy CA"].detail  # found in its folder, not again
    assert warnings == []


def test_the_text_forms_of_suffix_and_within_are_pathlibs() -> None:
    from pathlib import PurePosixPath

    for name in ("a.pem", "A.CRT", ".pem", "a.", "a..pem", "noext", "x.tar.gz", ".", "..", "a.b.", "ca.pem.0"):
        assert rootcerts._suffix(name) == PurePosixPath(name).suffix, name
    folders = ("/usr/share/ca-certificates", "/usr/local/share/ca-certificates", "/", "/usr")
    paths = ("/usr/share/ca-certificates/mozilla/A.crt", "/usr/share/ca-certificates", "/usr/share/ca-certificates-x/a",
             "/usr/local/share/ca-certificates/corp/p.crt", "/etc/ssl/certs/dropped.pem", "/usr/sharex")
    for path in paths:
        for folder in folders:
            assert rootcerts._within(path, folder) == PurePosixPath(path).is_relative_to(folder), (path, folder)
