"""How a phone joins the temporary network: a bland network name, a random password, and the
QR code a phone's camera reads to join (the ``WIFI:`` format that Android and iOS cameras
understand), drawn with text characters so it shows in any terminal and in the app.

The name never says what the check is (a watched phone may report the networks it joins):
like TinyCheck's and SpyGuard's, it looks like any guest network.
"""

from __future__ import annotations

import secrets

BLAND_NAMES = ("Guest", "WiFi", "Home", "Office", "Lobby", "Room", "Cafe", "Studio")
# No 0/O, 1/l/I: the password is read off a screen and typed on a phone.
TYPABLE_LETTERS = "abcdefghjkmnpqrstuvwxyz23456789"
PASSWORD_LENGTH = 12  # WPA2 needs 8 to 63 characters
QUIET_ZONE = 2  # modules of white around the code (4 is the standard; 2 reads fine on a screen)


def network_name() -> str:
    """``Guest-7F3A``: a common word and four random hexadecimal digits."""
    return f"{secrets.choice(BLAND_NAMES)}-{secrets.token_hex(2).upper()}"


def password() -> str:
    return "".join(secrets.choice(TYPABLE_LETTERS) for _ in range(PASSWORD_LENGTH))


def wifi_payload(ssid: str, secret: str) -> str:
    """What the QR code says: ``WIFI:T:WPA;S:<name>;P:<password>;;`` (special characters escaped)."""
    from segno import helpers

    return str(helpers.make_wifi_data(ssid=ssid, password=secret, security="WPA", hidden=False))


def qr_rows(payload: str) -> list[str]:
    """The QR code as lines of text, two rows of modules per line with half blocks: "█" both
    dark, "▀" top dark, "▄" bottom dark, " " both light. Show them dark on a light background
    (the quiet zone is included), never the other way round: phone cameras expect dark modules."""
    import segno

    code = segno.make(payload, error="m", micro=False)
    matrix = [list(row) for row in code.matrix_iter(border=QUIET_ZONE)]
    if len(matrix) % 2:
        matrix.append([0] * len(matrix[0]))
    glyphs = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}
    return ["".join(glyphs[(bool(top), bool(bottom))] for top, bottom in zip(upper, lower, strict=True))
            for upper, lower in zip(matrix[::2], matrix[1::2], strict=True)]
