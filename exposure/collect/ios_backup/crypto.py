"""Encrypted backups: the key bag in ``Manifest.plist`` unlocked with the person's password,
then each file's own key, through the ``iphone_backup_decrypt`` library (MIT).

Only the library's building blocks are used (key bag, key unwrap, AES-CBC), never its
helpers that write decrypted copies to a temporary folder: everything decrypted here stays
in memory, so nothing decrypted is ever left on disk, even when a scan stops half-way.
The password is used once to unlock the key bag and not kept.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from typing import Any


class WrongPassword(Exception):
    """The password does not open this backup."""


class BadKeyBag(Exception):
    """The key bag is damaged or not one we can use (the message says why, in English)."""


class Keys:
    """The unlocked key bag of one backup: unwraps each file's key and decrypts its body."""

    def __init__(self, manifest: Mapping[str, Any], password: str) -> None:
        from iphone_backup_decrypt import utils

        bag = manifest.get("BackupKeyBag")
        if not isinstance(bag, bytes) or not bag:
            raise BadKeyBag("Manifest.plist has no key bag")
        try:
            self._bag = utils.BackupKeyBag(bag)
            unlocked = self._bag.unlock_with_passphrase(password.encode("utf-8"))
        except (ValueError, KeyError, TypeError, struct.error) as exc:
            # UnsafeBackupError (a ValueError) when iteration counts are absurd: a hostile file.
            raise BadKeyBag(f"the key bag cannot be used ({type(exc).__name__}: {str(exc)[:120]})") from None
        if not unlocked:
            raise WrongPassword
        self._utils = utils

    def unwrap(self, protection_class: int, wrapped: bytes) -> bytes:
        """The AES key of one file, from its protection class and its wrapped key."""
        try:
            key: bytes = self._bag.unwrap_key_for_class(protection_class, wrapped)
        except (ValueError, KeyError, TypeError) as exc:
            raise BadKeyBag(f"a file key cannot be unwrapped ({type(exc).__name__})") from None
        return key

    def manifest_key(self, manifest: Mapping[str, Any]) -> bytes:
        """The key of ``Manifest.db`` (``ManifestKey``: 4 bytes of class, then the wrapped key)."""
        raw = manifest.get("ManifestKey")
        if not isinstance(raw, bytes) or len(raw) < 8:
            raise BadKeyBag("Manifest.plist has no key for Manifest.db")
        return self.unwrap(struct.unpack("<l", raw[:4])[0], raw[4:])

    def decrypt(self, data: bytes, key: bytes) -> bytes:
        """A file's body (AES-256-CBC, zero IV, PKCS#7 padding), in memory."""
        try:
            plain: bytes = self._utils.aes_decrypt_cbc(data=data, key=key)
            out: bytes = self._utils.remove_cbc_padding(plain)
        except (ValueError, IndexError) as exc:
            raise BadKeyBag(f"the file does not decrypt ({str(exc)[:80]})") from None
        return out
