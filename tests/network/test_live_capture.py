"""``exposure capture`` for real: a network namespace and a veth pair made by the test, DNS, TLS
and HTTP sent from inside the namespace to the test's own addresses, and the capture must hold
each of them exactly once, in a file only its owner can read. Also: Ctrl-C stops cleanly, and
without privileges there is one plain message, exit code 2 and no file."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from exposure.cli import main
from exposure.collect import live
from exposure.errors import UserError

PYTHON = sys.executable
TAG = f"{os.getpid() % 100000}"
NS = f"exptest{TAG}"
HOST_IF = f"vexh{TAG}"
NS_IF = f"vexn{TAG}"
# A /24 of its own per test process, so two test runs on one machine never share an address.
_NET = f"10.213.{os.getpid() % 250}"
HOST_ADDR = f"{_NET}.1"
NS_ADDR = f"{_NET}.2"

DNS_NAME = "dns-test.exposure.example"
TLS_NAME = "tls-test.exposure.example"
HTTP_NAME = "http-test.exposure.example"

# Runs inside the namespace: one DNS query (no server needed), one TLS ClientHello to the test's
# listener (which closes after reading it), one HTTP request with a Host header.
CLIENT = f"""
import socket, ssl, struct
q = struct.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
q += b"".join(bytes([len(p)]) + p.encode() for p in "{DNS_NAME}".split(".")) + b"\\0" + struct.pack("!HH", 1, 1)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.sendto(q, ("{HOST_ADDR}", 53))
u.close()
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
t = socket.create_connection(("{HOST_ADDR}", 443), timeout=5)
try:
    ctx.wrap_socket(t, server_hostname="{TLS_NAME}").close()
except (ssl.SSLError, OSError):
    pass
t.close()
h = socket.create_connection(("{HOST_ADDR}", 80), timeout=5)
h.sendall(b"GET / HTTP/1.1\\r\\nHost: {HTTP_NAME}\\r\\nUser-Agent: exposure-test\\r\\n\\r\\n")
h.recv(100)
h.close()
print("sent")
"""


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=20, check=check)


@pytest.fixture(scope="module")
def veth() -> Iterator[str]:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("the live capture test needs root (CI runs as root): it creates a network namespace")
    if shutil.which("ip") is None:
        pytest.skip("the live capture test needs 'ip' from iproute2")
    probe = _ip("netns", "add", NS, check=False)
    if probe.returncode != 0:
        pytest.skip(f"'ip netns' is not available here: {probe.stderr.strip()}")
    try:
        _ip("link", "add", HOST_IF, "type", "veth", "peer", "name", NS_IF)
        _ip("link", "set", NS_IF, "netns", NS)
        _ip("addr", "add", f"{HOST_ADDR}/24", "dev", HOST_IF)
        _ip("link", "set", HOST_IF, "up")
        _ip("netns", "exec", NS, "ip", "addr", "add", f"{NS_ADDR}/24", "dev", NS_IF)
        _ip("netns", "exec", NS, "ip", "link", "set", NS_IF, "up")
        _ip("netns", "exec", NS, "ip", "link", "set", "lo", "up")
        yield HOST_IF
    finally:
        _ip("netns", "del", NS, check=False)  # takes the peer, and so the pair, with it
        _ip("link", "del", HOST_IF, check=False)


class _Listener:
    """TCP servers on the host end: read what the client sends, answer a little, close."""

    def __init__(self, port: int, reply: bytes) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((HOST_ADDR, port))
        self.sock.listen(4)
        self.sock.settimeout(15)
        self.reply = reply
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(5)
            try:
                conn.recv(65536)
                if self.reply:
                    conn.sendall(self.reply)
            except OSError:
                pass

    def close(self) -> None:
        self.sock.close()
        self.thread.join(5)


def _start_capture(args: list[str], cwd: Path) -> tuple[subprocess.Popen[str], list[str]]:
    """Start ``exposure capture`` and return once it says it is recording; stderr lines are collected."""
    proc = subprocess.Popen([PYTHON, "-m", "exposure", "capture", *args], cwd=cwd, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            if line.startswith("Recording on"):
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    assert ready.wait(30), "capture did not start"
    assert proc.poll() is None, "".join(lines)
    return proc, lines


def _packets(path: Path) -> list[object]:
    from scapy.layers.inet import IP
    from scapy.layers.l2 import Ether
    from scapy.utils import rdpcap

    packets = list(rdpcap(str(path)))
    assert all(isinstance(p, Ether) for p in packets)
    return [p for p in packets if IP in p]


def rdpcap_all(path: Path) -> list[object]:
    from scapy.utils import rdpcap

    return list(rdpcap(str(path)))


def _count(packets: list[object], proto: int, dport: int, needle: bytes) -> int:
    from scapy.layers.inet import IP

    found = 0
    for p in packets:
        ip = p[IP]  # type: ignore[index]
        if ip.proto != proto or bytes(ip.payload)[2:4] != dport.to_bytes(2, "big"):
            continue
        found += bytes(ip.payload).count(needle)
    return found


def test_capture_sees_dns_tls_and_http_once_each_then_checks_it(veth: str, tmp_path: Path) -> None:
    out = tmp_path / "cap.pcap"
    report = tmp_path / "report.json"
    listeners = [_Listener(443, b""), _Listener(80, b"HTTP/1.1 204 No Content\r\n\r\n")]
    try:
        proc, lines = _start_capture(["--iface", veth, "--duration", "6", "--out", str(out), "--json",
                                      str(report), "--no-feeds"], tmp_path)
        sent = subprocess.run(["ip", "netns", "exec", NS, PYTHON, "-c", CLIENT], capture_output=True, text=True,
                              timeout=30)
        assert sent.stdout.strip() == "sent", sent.stderr
        assert proc.wait(60) == 0, "".join(lines)
        assert proc.stdout is not None
        summary = proc.stdout.read()
    finally:
        for listener in listeners:
            listener.close()
    time.sleep(0.2)  # let the reader thread take the last lines
    log = "".join(lines)

    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    packets = _packets(out)
    qname = b"".join(bytes([len(p)]) + p.encode() for p in DNS_NAME.split("."))
    assert _count(packets, 17, 53, qname) == 1  # the query itself (the ICMP error quoting it is not UDP)
    assert _count(packets, 6, 443, TLS_NAME.encode()) == 1  # in the ClientHello
    assert _count(packets, 6, 80, f"Host: {HTTP_NAME}".encode()) == 1

    # what was shown while recording: each name once, with its kind
    for kind, name in (("dns", DNS_NAME), ("tls", TLS_NAME), ("http", HTTP_NAME)):
        shown = [line.split() for line in lines if name in line]
        assert shown == [[kind, name]], log
    assert "Recording done:" in log and str(out.resolve()) in log

    # then it was checked like any capture file: the report read the same three names
    data = json.loads(report.read_text("utf-8"))
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    [source] = data["sources"]
    assert (source["kind"], Path(source["name"]).resolve()) == ("pcap", out.resolve())
    counts = source["counts"]
    assert (counts["dns_names"], counts["tls_server_names"], counts["http_hosts"]) == (1, 1, 1)
    assert counts["packets"] == len(rdpcap_all(out))
    assert summary.strip()  # the summary was printed


def test_ctrl_c_stops_cleanly_and_keeps_a_valid_capture(veth: str, tmp_path: Path) -> None:
    out = tmp_path / "stopped.pcap"
    proc, lines = _start_capture(["--iface", veth, "--out", str(out), "--no-analysis"], tmp_path)
    send = f"import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); " \
           f"[s.sendto(b'ping %d' % i, ('{HOST_ADDR}', 9999)) for i in range(3)]"
    subprocess.run(["ip", "netns", "exec", NS, PYTHON, "-c", send], capture_output=True, timeout=20, check=True)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(20) == 0
    time.sleep(0.2)
    log = "".join(lines)
    assert "Traceback" not in log
    assert "Recording stopped:" in log
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert _count(_packets(out), 17, 9999, b"ping ") == 3  # all readable after the interrupt


def test_record_function_reports_names_and_stops_on_cancel(veth: str, tmp_path: Path) -> None:
    """The library call the TUI would use: progress reports, names, cancel from another thread."""
    out = tmp_path / "api.pcap"
    cancel = threading.Event()
    reports: list[live.LiveProgress] = []
    started = threading.Event()
    holder: list[live.CaptureResult] = []
    worker = threading.Thread(target=lambda: holder.append(live.record(
        veth, out, progress=reports.append, cancel=cancel, report_every=0.2, started=started.set)))
    worker.start()
    assert started.wait(20)
    listeners = [_Listener(443, b""), _Listener(80, b"HTTP/1.1 204 No Content\r\n\r\n")]
    try:
        sent = subprocess.run(["ip", "netns", "exec", NS, PYTHON, "-c", CLIENT], capture_output=True, text=True,
                              timeout=30)
        assert sent.stdout.strip() == "sent", sent.stderr
        time.sleep(0.6)
    finally:
        cancel.set()
        worker.join(20)
        for listener in listeners:
            listener.close()
    result = holder[0]
    assert result.stopped_by == "cancel"
    assert DNS_NAME in result.names.dns and TLS_NAME in result.names.tls_sni and HTTP_NAME in result.names.http_host
    new = [name for report in reports for _, name in report.new_names]
    assert sorted(new) == sorted(set(new))  # each name reported once
    assert {DNS_NAME, TLS_NAME, HTTP_NAME} <= set(new)
    assert reports[-1].packets == result.packets > 0


# -- without privileges -------------------------------------------------------------------------


def test_without_privilege_one_line_exit_2_and_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """What scapy raises on Linux without CAP_NET_RAW, simulated (the real run is the next test)."""

    def refuse(**kwargs: object) -> object:
        raise PermissionError(1, "Operation not permitted")

    import scapy.arch  # noqa: F401 - so conf.L2listen exists to be replaced
    from scapy.config import conf

    monkeypatch.setattr(conf, "L2listen", refuse)
    out = tmp_path / "x.pcap"
    code = main(["capture", "--iface", "lo", "--duration", "1", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("exposure: capturing needs administrator rights")
    # Never advise giving packet capture to the shared interpreter (every Python program would get it).
    assert f"setcap cap_net_raw,cap_net_admin=eip {os.path.realpath(sys.executable)}" not in err
    assert "sudo " in err
    assert not out.exists()


def test_without_privilege_for_real_as_an_unprivileged_user() -> None:
    setpriv = shutil.which("setpriv")
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or setpriv is None:
        pytest.skip("needs root and setpriv to run the command as an unprivileged user")
    nobody = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
    home = Path(tempfile.mkdtemp(prefix="exposure-nobody-"))  # pytest's tmp_path is closed to other users
    try:
        os.chmod(home, 0o777)  # scapy writes its cache under $HOME
        env = {**os.environ, "HOME": str(home), "EXPOSURE_DATA_DIR": str(home / "data")}
        probe = subprocess.run([*nobody, PYTHON, "-c", "import exposure.cli"], capture_output=True, text=True,
                               timeout=60, env=env, cwd="/")
        if probe.returncode != 0:
            pytest.skip(f"an unprivileged user cannot run this Python here: {probe.stderr.strip()[-200:]}")
        out = home / "x.pcap"
        done = subprocess.run([*nobody, PYTHON, "-m", "exposure", "capture", "--iface", "lo", "--duration", "1",
                               "--out", str(out)], capture_output=True, text=True, timeout=60, env=env, cwd="/")
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("exposure: capturing needs administrator rights"), done.stderr
        assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
        assert not out.exists()
    finally:
        shutil.rmtree(home, ignore_errors=True)


# -- small parts ---------------------------------------------------------------------------------------


def test_list_interfaces_shows_loopback_with_its_address(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["capture", "--list-ifaces"]) == 0
    rows = [line.split(None, 2) for line in capsys.readouterr().out.splitlines()]
    names = {row[0]: row for row in rows}
    loopback = next(name for name in names if name.startswith("lo"))
    assert names[loopback][1] == "up" and "127.0.0.1" in names[loopback][2]


def test_unknown_interface_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("without root the privilege message comes first")
    out = tmp_path / "x.pcap"
    assert main(["capture", "--iface", "nosuchif0", "--duration", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == "exposure: no network interface named 'nosuchif0'; see 'exposure capture --list-ifaces'\n"
    assert not out.exists()


def test_existing_output_is_never_replaced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "keep.pcap"
    out.write_bytes(b"precious")
    assert main(["capture", "--iface", "lo", "--duration", "1", "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert out.read_bytes() == b"precious"


def test_open_private_refuses_links_and_sets_0600(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    link = tmp_path / "link.pcap"
    link.symlink_to(target)
    with pytest.raises(UserError):
        live.open_private(link)
    assert not target.exists()
    old = os.umask(0)
    try:
        with live.open_private(tmp_path / "new.pcap") as handle:
            handle.write(b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.pcap").stat().st_mode) == 0o600


def test_default_output_is_timestamped_in_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import datetime

    monkeypatch.chdir(tmp_path)
    assert live.default_output(now=datetime(2026, 3, 4, 5, 6, 7)) == tmp_path / "capture-20260304-050607.pcap"


def test_bad_duration_is_an_argument_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["capture", "--duration", "-3"])
    assert exc.value.code == 2
    assert "duration" in capsys.readouterr().err


# -- the recording loop with a stand-in socket (no privileges needed) --------------------------------


def _dns_frame(name: str) -> bytes:
    from scapy.layers.dns import DNS, DNSQR
    from scapy.layers.inet import IP, UDP
    from scapy.layers.l2 import Ether

    return bytes(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / IP(src="10.9.9.2", dst="10.9.9.1")
                 / UDP(sport=40000, dport=53) / DNS(id=7, rd=1, qd=DNSQR(qname=name)))


class _FakeSocket:
    """Hands out prepared frames, then nothing (as a quiet interface would)."""

    def __init__(self, frames: list[bytes]) -> None:
        self.frames = list(frames)
        self.closed = False

    def select(self, sockets: list[object], timeout: float | None = None) -> list[object]:
        if self.frames:
            return sockets
        time.sleep(min(timeout or 0.0, 0.05))
        return []

    def recv_raw(self, size: int) -> tuple[None, bytes, float]:
        return None, self.frames.pop(0), 1_700_000_000.5

    def close(self) -> None:
        self.closed = True


def test_disk_full_stops_recording_keeps_what_was_written_and_still_checks_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    frames = [_dns_frame(f"n{i}.exposure.example") for i in range(6)]
    fake = _FakeSocket(frames)
    monkeypatch.setattr(live, "open_socket", lambda iface: fake)
    real_write = live._PcapFile.write
    written: list[bytes] = []

    def write(self: live._PcapFile, ts: float, data: bytes) -> None:
        if len(written) == 3:
            raise OSError(28, "No space left on device")
        written.append(data)
        real_write(self, ts, data)

    monkeypatch.setattr(live._PcapFile, "write", write)
    out = tmp_path / "full.pcap"
    report = tmp_path / "r.json"
    assert main(["capture", "--iface", "fake0", "--duration", "5", "--out", str(out), "--json", str(report),
                 "--no-feeds"]) == 0
    err = capsys.readouterr().err
    assert "exposure: recording stopped early: No space left on device\n" in err
    assert "Traceback" not in err
    assert fake.closed
    assert len(rdpcap_all(out)) == 3
    counts = json.loads(report.read_text("utf-8"))["sources"][0]["counts"]
    assert (counts["packets"], counts["dns_names"]) == (3, 3)


def test_names_are_reported_once_and_cancel_stops(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    frames = [_dns_frame("a.exposure.example"), _dns_frame("b.exposure.example"), _dns_frame("a.exposure.example")]
    monkeypatch.setattr(live, "open_socket", lambda iface: _FakeSocket(frames))
    cancel = threading.Event()
    reports: list[live.LiveProgress] = []

    def progress(seen: live.LiveProgress) -> None:
        reports.append(seen)
        if seen.packets == 3:
            cancel.set()

    result = live.record("fake0", tmp_path / "c.pcap", progress=progress, cancel=cancel, report_every=0.05)
    assert result.stopped_by == "cancel" and result.packets == 3
    assert [name for r in reports for _, name in r.new_names] == ["a.exposure.example", "b.exposure.example"]
    assert result.names.dns == {"a.exposure.example", "b.exposure.example"}


def test_sigterm_stops_cleanly(veth: str, tmp_path: Path) -> None:
    out = tmp_path / "term.pcap"
    proc, lines = _start_capture(["--iface", veth, "--out", str(out), "--no-analysis"], tmp_path)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(20) == 0
    time.sleep(0.2)
    log = "".join(lines)
    assert "Recording stopped:" in log and "Traceback" not in log
    assert out.read_bytes()[:4] == b"\xd4\xc3\xb2\xa1"  # a pcap header: a valid capture, even if empty
    rdpcap_all(out)  # and readable to its end


def test_under_sudo_the_capture_belongs_to_the_person_who_asked(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("needs root to hand a file to another user")
    monkeypatch.setenv("SUDO_UID", "65534")
    monkeypatch.setenv("SUDO_GID", "65534")
    monkeypatch.setattr(live, "open_socket", lambda iface: _FakeSocket([_dns_frame("a.exposure.example")]))
    out = tmp_path / "mine.pcap"
    result = live.record("fake0", out, duration=0.3)
    assert result.packets == 1
    info = out.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (65534, 65534, 0o600)


def test_pcap_records_keep_time_and_length_even_with_a_broken_clock(tmp_path: Path) -> None:
    out = tmp_path / "t.pcap"
    pcap = live._PcapFile(live.open_private(out))
    pcap.start(1)
    frame = _dns_frame("a.exposure.example")
    pcap.write(1_700_000_000.25, frame)
    pcap.write(-5.0, frame)  # nonsense from the clock: replaced by now
    pcap.write(float("nan"), frame)
    pcap.close()
    packets = rdpcap_all(out)
    assert len(packets) == 3 and all(bytes(p) == frame for p in packets)  # type: ignore[call-overload]
    assert float(packets[0].time) == pytest.approx(1_700_000_000.25)  # type: ignore[attr-defined]
    assert all(abs(float(p.time) - time.time()) < 60 for p in packets[1:])  # type: ignore[attr-defined]
