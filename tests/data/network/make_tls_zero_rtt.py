"""Write captures of real TLS 1.3 resumed sessions with 0-RTT early data, and their keys.

    .venv/bin/python tests/data/network/make_tls_zero_rtt.py

Ours (same licence as exposure). Python's ``ssl`` module cannot send early data, so the sessions
are made by the ``openssl`` command (OpenSSL 3.0: ``s_server -early_data``, ``s_client -sess_out``,
``-sess_in``, ``-early_data FILE``, ``-keylogfile``) over loopback, through a small TCP relay
here that records the bytes of each direction in the order they pass. The recorded bytes become
TCP segments (``make_tls_keys.connection``) and the client's key log (with its
``CLIENT_EARLY_TRAFFIC_SECRET`` lines) a Decryption Secrets Block, as in ``make_tls_keys.py``.
Timestamps and addresses are fixed; the keys and randoms differ at each run, the names do not.

The sessions (``SESSIONS``), to one server (name ``zero-rtt.example``), each resuming the session
the one before saved (the server's ticket, ``-sess_out``/``-sess_in``):

1. a full handshake, then ``Host: full-handshake.example``;
2. a resumed session (PSK) that sends ``GET / Host: early.example`` as early data (one record, then
   EndOfEarlyData), and once the handshake is done ``Host: after-handshake.example``;
3. a resumed session without early data (``Host: resumed.example``);
4. a resumed session whose early data (``Host: early-records.example`` with a long Cookie) goes in
   512-byte records (``-max_send_frag``: four records and EndOfEarlyData), then
   ``Host: after-records.example``;
5. a ClientHello with early data (``Host: retry-early.example``) and only a P-384 key share, which
   the server (X25519 or P-256) answers with a HelloRetryRequest: the server rejects the early
   data unread (RFC 8446, 4.2.10; OpenSSL's server then makes a full handshake), but the client
   sent the record, and it is on the wire; then ``Host: retry-after.example``.

Files:

- ``tls-keys-0rtt.pcapng``: the five connections, the keys in a block before the packets;
- ``tls-keys-0rtt-no-early.pcapng``: the same packets, the key log without its
  ``CLIENT_EARLY_TRAFFIC_SECRET`` lines (as a client that does not log them);
- ``tls-keys-0rtt-wrong.pcapng``: the same packets with every secret altered;
- ``tls-keys-0rtt-none.pcapng``: the same packets without keys.

``expected/<name>.json`` is what ``../shared/tools/tshark-names`` (TShark 4.0.17) printed.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))  # the repository, when run as a script

from tests.data.network.make_tls_keys import certificate, connection, pcapng, secrets_block, wrong  # noqa: E402

SERVER = bytes([198, 51, 100, 20])
SERVER_NAME = "zero-rtt.example"
FIRST_INDEX = 20  # client ports 40020.. and sequence numbers apart from make_tls_keys' connections
WAIT = 10.0  # seconds for openssl to do a step before the generator gives up
EARLY_LABEL = b"CLIENT_EARLY_TRAFFIC_SECRET"


def request(host: str, path: str, cookie: int = 0) -> bytes:
    """An HTTP/1.1 GET, with a Cookie header ``cookie`` bytes long when it is not 0."""
    extra = f"Cookie: id={'c' * cookie}\r\n" if cookie else ""
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: test\r\n{extra}Accept: */*\r\n\r\n".encode()


class Relay:
    """A TCP relay on loopback in front of ``s_server`` that records what passes, one connection at
    a time: ``flights`` is (from the client?, bytes) in the order they were read, a direction's
    consecutive reads joined."""

    def __init__(self, server_port: int) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.server_port = server_port
        self.flights: list[tuple[bool, bytes]] = []
        self.lock = threading.Lock()
        self.pumps: list[threading.Thread] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.server_port))
            self.pumps = [threading.Thread(target=self._pump, args=(client, server, True)),
                          threading.Thread(target=self._pump, args=(server, client, False))]
            for pump in self.pumps:
                pump.start()

    def _pump(self, source: socket.socket, sink: socket.socket, from_client: bool) -> None:
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                data = b""
            if not data:
                try:
                    sink.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            with self.lock:  # recorded before it is passed on: the order is the order on the wire
                if self.flights and self.flights[-1][0] == from_client:
                    self.flights[-1] = (from_client, self.flights[-1][1] + data)
                else:
                    self.flights.append((from_client, data))
            sink.sendall(data)

    def sent(self, from_client: bool) -> int:
        with self.lock:
            return sum(len(data) for side, data in self.flights if side == from_client)

    def take(self) -> list[tuple[bool, bytes]]:
        """The flights of the connection just closed (waits for both directions to end)."""
        for pump in self.pumps:
            pump.join(WAIT)
        with self.lock:
            flights, self.flights = self.flights, []
        return flights


def wait_for(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"openssl did not {what} in {WAIT:.0f} s")
        time.sleep(0.02)


def client_session(relay: Relay, folder: Path, index: int, early: bytes | None, after: bytes | None,
                   extra: list[str], expect: str) -> list[tuple[bool, bytes]]:
    """One ``s_client`` connection through the relay: resuming session ``index - 1`` when index > 0,
    sending ``early`` as early data and ``after`` once the handshake is done; it saves its own
    session (the server's ticket) as ``index``. ``expect``: what s_client must say of the early
    data (accepted, rejected, not sent)."""
    saved = folder / f"session{index}.pem"
    command = ["openssl", "s_client", "-connect", f"127.0.0.1:{relay.port}", "-servername", SERVER_NAME,
               "-tls1_3", "-keylogfile", str(folder / "keys.txt"), "-sess_out", str(saved), *extra]
    if index:
        command += ["-sess_in", str(folder / f"session{index - 1}.pem")]
    if early is not None:
        (folder / "early.txt").write_bytes(early)
        command += ["-early_data", str(folder / "early.txt")]
    output = folder / "client.txt"
    with output.open("wb") as out_file:
        client = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=out_file, stderr=subprocess.STDOUT)
    assert client.stdin is not None
    # the server's whole first flight and its tickets: the client has saved the session
    wait_for(lambda: saved.exists() and saved.stat().st_size > 0, "save the session")
    if after is not None:
        before = relay.sent(True)
        client.stdin.write(after)
        client.stdin.flush()
        wait_for(lambda: relay.sent(True) >= before + len(after), "send the request")
    time.sleep(0.2)
    client.stdin.close()  # the client sends close_notify and closes
    client.wait(WAIT)
    out = output.read_text(errors="replace")
    flights = relay.take()
    said = re.search(r"Early data was (accepted|rejected|not sent)", out)
    if said is None or said[1] != expect:
        raise SystemExit(f"s_client: early data {said[1] if said else 'not said'}, not {expect}:\n{out}")
    return flights


# (early data, request after the handshake, s_client options, what becomes of the early data),
# each resuming the one before
SESSIONS: list[tuple[bytes | None, bytes | None, list[str], str]] = [
    (None, request("full-handshake.example", "/"), [], "not sent"),
    (request("early.example", "/"), request("after-handshake.example", "/after"), [], "accepted"),
    (None, request("resumed.example", "/resumed"), [], "not sent"),
    # early data sent in 512-byte records (a long Cookie): four records and EndOfEarlyData
    (request("early-records.example", "/", 1600), request("after-records.example", "/after"),
     ["-max_send_frag", "512"], "accepted"),
    (request("retry-early.example", "/"), request("retry-after.example", "/after"), ["-groups", "P-384:X25519"],
     "rejected"),
]


def sessions(folder: Path) -> tuple[list[list[tuple[bool, bytes]]], bytes, str]:
    cert, key = certificate(folder)
    server = subprocess.Popen(  # prints what it receives, early data apart ("Early data received")
        ["openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", cert, "-key", key, "-tls1_3", "-early_data",
         "-groups", "X25519:P-256", "-num_tickets", "1", "-naccept", str(len(SESSIONS))],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert server.stdin is not None and server.stdout is not None
    port = 0
    for line in server.stdout:  # "ACCEPT 127.0.0.1:PORT" (OpenSSL 3) once it listens
        if line.startswith("ACCEPT"):
            port = int(line.split(":")[-1]) if ":" in line else 0
            break
    if not port:
        server.kill()
        raise SystemExit("s_server did not say which port it listens on")
    relay = Relay(port)
    try:
        connections = [client_session(relay, folder, index, *spec) for index, spec in enumerate(SESSIONS)]
    finally:
        relay.listener.close()
        server.stdin.close()
        try:
            server.wait(WAIT)
        except subprocess.TimeoutExpired:
            server.kill()
        log = server.stdout.read()
    return connections, (folder / "keys.txt").read_bytes(), log


def without_early(keylog: bytes) -> bytes:
    return b"".join(line for line in keylog.splitlines(keepends=True) if not line.startswith(EARLY_LABEL))


def main() -> None:
    if shutil.which("openssl") is None:
        raise SystemExit("needs the openssl command (OpenSSL 3)")
    with tempfile.TemporaryDirectory() as tmp:
        connections, keylog, server_log = sessions(Path(tmp))
    resumed = server_log.count("Reused session-id")
    if resumed != 3 or server_log.count("Early data received") != 2:
        raise SystemExit(f"s_server did not resume 3 sessions and read early data in 2:\n{server_log}")
    frames: list[bytes] = []
    for offset, flights in enumerate(connections):
        frames += connection(FIRST_INDEX + offset, SERVER, 443, [(side, data.hex()) for side, data in flights])
    files = {
        "tls-keys-0rtt.pcapng": pcapng(frames, [secrets_block(keylog)]),
        "tls-keys-0rtt-no-early.pcapng": pcapng(frames, [secrets_block(without_early(keylog))]),
        "tls-keys-0rtt-wrong.pcapng": pcapng(frames, [secrets_block(wrong(keylog))]),
        "tls-keys-0rtt-none.pcapng": pcapng(frames, []),
    }
    for name, data in files.items():
        (HERE / name).write_bytes(data)
        print(name, len(data))
    print(json.dumps([[len(data) for _, data in flights] for flights in connections]))


if __name__ == "__main__":
    main()
