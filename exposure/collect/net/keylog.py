"""Keys stored in a capture: the NSS key log text of pcapng Decryption Secrets Blocks (and WireGuard's).

A pcapng file may carry the keys of the TLS connections it holds (a Decryption Secrets Block
of type ``TLSK``, 0x544c534b, whose data is an NSS key log: one ``LABEL <client random hex>
<secret hex>`` per line). PCAPdroid writes them when its TLS decryption is on, and
``editcap --inject-secrets tls,keys.txt`` adds them to any capture. Only the client's side of a
connection is decrypted (its requests name the servers), so only the labels that decrypt it
are kept: the TLS 1.2 master secret (``CLIENT_RANDOM``) and the TLS 1.3 client traffic secrets
(0-RTT, handshake, application).

The text comes from the capture, so it is untrusted: lines are checked (hex of the right
length), and the keys and bytes kept are capped; what is left out is counted in ``problems``.
A block of WireGuard keys (type ``WGKL``, 0x57474b4c) goes to ``wireguard`` (``wg_keys``: its
tunnels are decrypted by ``wireguard``); its text counts in the same cap.
"""

from __future__ import annotations

from exposure.collect.net.wg_keys import WireGuardKeys

MAX_CONNECTIONS = 65_536  # client randoms whose keys are kept (one line of 100-200 bytes each)
MAX_TEXT = 16 << 20  # key log bytes read over the whole capture
TLS_KEY_LOG = 0x544C534B  # "TLSK": the secrets type of an NSS key log
WIREGUARD_KEYS = 0x57474B4C  # "WGKL"
MASTER_SECRET = "CLIENT_RANDOM"  # noqa: S105 (a key log label, not a password)
CLIENT_HANDSHAKE = "CLIENT_HANDSHAKE_TRAFFIC_SECRET"
CLIENT_TRAFFIC = "CLIENT_TRAFFIC_SECRET_0"
CLIENT_EARLY = "CLIENT_EARLY_TRAFFIC_SECRET"
# every label of the format: lines with the others are valid, just not needed here
LABELS = frozenset({MASTER_SECRET, CLIENT_HANDSHAKE, CLIENT_TRAFFIC, "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                    "SERVER_TRAFFIC_SECRET_0", CLIENT_EARLY, "EARLY_EXPORTER_SECRET",
                    "EXPORTER_SECRET", "RSA"})
KEPT = frozenset({MASTER_SECRET, CLIENT_EARLY, CLIENT_HANDSHAKE, CLIENT_TRAFFIC})
SECRET_SIZES = frozenset({32, 48})  # SHA-256 and SHA-384 secrets; a master secret is 48 bytes

# The reasons counted in ``problems`` (shown in the scan's warnings).
DAMAGED_BLOCK = "damaged Decryption Secrets Block"
BAD_LINE = "key log line that is not a TLS key"
TOO_MANY = "keys beyond the first 65536 connections"  # MAX_CONNECTIONS
TOO_MUCH = "key log text beyond the first 16 MiB"  # MAX_TEXT
OTHER_KIND = "keys of another kind than TLS or WireGuard, not used"


class KeyLog:
    """The TLS keys of one capture, by client random (32 bytes) and label."""

    def __init__(self) -> None:
        self.secrets: dict[bytes, dict[str, bytes]] = {}
        self.problems: dict[str, int] = {}
        self.text_read = 0
        self.blocks = 0  # TLS key blocks read
        self.wireguard: WireGuardKeys | None = None  # made by the first block of WireGuard keys
        # keys that arrived after packets of the capture: a connection may have begun before its
        # keys, so the capture is read again with every key known from the start
        self.late = False

    def __bool__(self) -> bool:
        return bool(self.secrets)

    def problem(self, reason: str) -> None:
        self.problems[reason] = self.problems.get(reason, 0) + 1

    def block(self, secrets_type: int, data: bytes, after_packets: bool) -> None:
        """One Decryption Secrets Block's type and data."""
        if secrets_type not in (TLS_KEY_LOG, WIREGUARD_KEYS):
            self.problem(OTHER_KIND)
            return
        if self.text_read + len(data) > MAX_TEXT:
            data = data[:max(0, MAX_TEXT - self.text_read)]
            self.problem(TOO_MUCH)
        self.text_read += len(data)
        if secrets_type == WIREGUARD_KEYS:
            if self.wireguard is None:
                self.wireguard = WireGuardKeys()
            added = self.wireguard.add_text(data, self.problem)
        else:
            self.blocks += 1
            added = self.add_text(data)
        if added and after_packets:
            self.late = True

    def add_text(self, text: bytes) -> int:
        """Read NSS key log lines; the number of new keys kept."""
        added = 0
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith(b"#"):
                continue
            parts = line.split()
            label = parts[0].decode("ascii", "replace")
            if len(parts) != 3 or label not in LABELS:
                self.problem(BAD_LINE)
                continue
            if label not in KEPT:
                continue
            try:
                random, secret = bytes.fromhex(parts[1].decode("ascii")), bytes.fromhex(parts[2].decode("ascii"))
            except (UnicodeDecodeError, ValueError):
                self.problem(BAD_LINE)
                continue
            if len(random) != 32 or len(secret) not in SECRET_SIZES or (label == MASTER_SECRET and len(secret) != 48):
                self.problem(BAD_LINE)
                continue
            keys = self.secrets.get(random)
            if keys is None:
                if len(self.secrets) >= MAX_CONNECTIONS:
                    self.problem(TOO_MANY)
                    continue
                keys = self.secrets[random] = {}
            if keys.get(label) != secret:
                keys[label] = secret
                added += 1
        return added

    def get(self, client_random: bytes) -> dict[str, bytes] | None:
        return self.secrets.get(client_random)
