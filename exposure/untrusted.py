"""Untrusted input: show it without letting it act, and read it within bounds.

App names, DNS names, file names, adb serials and feed texts, and whole acquisitions,
dumps, feeds, saved reports and profiles, can be crafted by whoever wants to hide from
exposure, exhaust the computer or frighten the person using it. One module holds the
rules for both halves, so that every layer uses the same ones; it imports nothing from
exposure, so every layer may use it.

**Showing.** Before untrusted text reaches the terminal (the command line's messages,
Rich/Textual in the app) or a report, it goes through :func:`shown`: every character that
a terminal or a text renderer would act on instead of showing is replaced by a visible
escape, so ``ESC ] 0 ; title BEL`` prints as ``\\x1b]0;title\\x07`` and changes nothing.
Replaced: C0 controls (tab and newline included: an untrusted value is one line), DEL,
C1 controls (U+0080-U+009F, which some terminals read as ESC sequences), bidirectional
marks, embeddings, overrides and isolates (they reorder what is printed around them),
zero-width characters, line and paragraph separators, the byte-order mark and the
interlinear annotation controls.

**Reading.** Every reader of a file someone else made goes through these helpers:

* a file is opened only when it is a regular file: its type is checked first, so a FIFO
  (whose open or read never returns), a device such as /dev/zero (which never ends) or a
  socket is never opened; it is opened non-blocking, checked again, and read with a cap;
* JSON may hold at most :data:`MAX_JSON_VALUES` values (estimated before it is parsed)
  and nest at most :data:`MAX_JSON_DEPTH` levels; an integer of more than
  :data:`MAX_JSON_INT_DIGITS` digits is kept as its text, not converted (Python refuses
  more than 4,300 digits with a ValueError of its own, and converting long ones is slow;
  the longest real ones are certificate serial numbers of about 50 digits), so a reader
  that expects a number sees a wrong type and skips it;
* YAML is streamed once before it is loaded: aliases (``*name``) are refused (no feed or
  profile needs them, and they let a small file expand into an enormous document), as
  are more than :data:`MAX_YAML_NODES` values or :data:`MAX_YAML_DEPTH` levels.

Every refusal is an :class:`UntrustedInputError` (a ValueError) or, for files, an
:class:`UnreadableFile` (an OSError), whose message is one plain line.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    import yaml  # imported where YAML is read: most commands never read any (a scan of this computer)

# --- showing untrusted text -----------------------------------------------------------

# Characters a terminal or renderer interprets, or that change how the text around them
# is shown. Kept as one class so that the check and the replacement cannot drift apart.
_INTERPRETED = (
    "\x00-\x1f\x7f-\x9f"  # C0 controls (ESC is \x1b), DEL, C1 controls (CSI is \x9b)
    "\u061c"  # Arabic letter mark
    "\u200b-\u200f"  # zero width space/non-joiner/joiner, LRM, RLM
    "\u2028-\u202e"  # line and paragraph separators, LRE, RLE, PDF, LRO, RLO
    "\u2060-\u2064\u2066-\u2069"  # word joiner, invisible operators; LRI, RLI, FSI, PDI
    "\ufeff"  # byte-order mark / zero width no-break space
    "\ufff9-\ufffb"  # interlinear annotation controls
)
_FIND = re.compile(f"[{_INTERPRETED}]")


def _escape(found: re.Match[str]) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text: str) -> str:
    """``text`` with every interpreted character replaced by a visible escape (``\\x1b``,
    ``\\u202e``): safe to print on a terminal or hand to Rich/Textual as plain text."""
    return _FIND.sub(_escape, text) if _FIND.search(text) else text


def shortened(text: str, limit: int = 200) -> str:
    """:func:`shown`, cut to about ``limit`` characters with "..." (for one-line messages)."""
    if len(text) > limit:
        return shown(text[:limit]) + "..."
    return shown(text)


def is_clean(text: str) -> bool:
    """Whether ``text`` has nothing :func:`shown` would replace."""
    return _FIND.search(text) is None


def strip_interpreted(text: str) -> str:
    """``text`` without the interpreted characters (a last safety net where the width of
    the text is already fixed: each removed character takes no cell on a terminal)."""
    return _FIND.sub("", text)


def _json_escape(found: re.Match[str]) -> str:
    char = found.group()
    return char if char == "\n" else f"\\u{ord(char):04x}"


def json_shown(text: str) -> str:
    """JSON text (``json.dumps(..., ensure_ascii=False)``) with every interpreted character
    written as a JSON ``\\uXXXX`` escape: the same JSON once parsed, safe to print. (The
    only raw control character such text holds is the newline of its indentation; inside
    strings json.dumps has escaped the C0 controls already.)"""
    return _FIND.sub(_json_escape, text) if _FIND.search(text) else text


# --- reading untrusted input ----------------------------------------------------------

# JSON and YAML documents: real ones nest fewer than 10 levels.
MAX_JSON_DEPTH = 64
MAX_JSON_INT_DIGITS = 100  # a certificate serial number (20 bytes) has at most 49 digits
# Values in one JSON document, counted (over, never under) from its commas, brackets and
# braces before it is parsed: 20 million empty objects in 64 MiB would take 1.4 GB once
# parsed. Echap's STIX2, the largest real input, has about 112,000.
MAX_JSON_VALUES = 2_000_000
MAX_YAML_DEPTH = 64
MAX_YAML_NODES = 500_000  # Echap's ioc.yaml has about 12,000
_READ_CHUNK = 1 << 20


class UntrustedInputError(ValueError):
    """Input refused because of its shape (too deep, too many values, aliases); ``line``
    is where (1-based), when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class InvalidJSON(UntrustedInputError):
    """Not JSON at all (a syntax error), as opposed to JSON refused for its shape."""


class UnreadableFile(OSError):
    """A file that was not read: not a regular file, or larger than the cap."""


class SpecialFile(UnreadableFile):
    """A FIFO, a device, a socket or a folder where a file was expected: never opened.
    ``kind`` says which, in plain words."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"{kind}, not a regular file; not opened")
        self.kind = kind


class FileTooLarge(UnreadableFile):
    """A regular file larger than the cap; ``size`` is what it claims or what was read."""


def file_kind(mode: int) -> str:
    """What a non-regular file is, in plain words."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _check_regular(mode: int) -> None:
    if not stat.S_ISREG(mode):
        raise SpecialFile(file_kind(mode))


_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))


def open_regular_file(path: str | os.PathLike[str], limit: int | None = None) -> BinaryIO:
    """An unbuffered handle on a regular file (of at most ``limit`` bytes, when given).

    The file's type is checked before it is opened, so a FIFO, a device or a socket is
    never opened; it is opened non-blocking and checked again (it may have been swapped).
    Raises :class:`SpecialFile`, :class:`FileTooLarge`, or the system's OSError (missing,
    permission denied). Symbolic links are followed.
    """
    _check_regular(os.stat(path).st_mode)
    handle = os.fdopen(os.open(path, _OPEN_FLAGS), "rb", buffering=0)
    try:
        info = os.fstat(handle.fileno())
        _check_regular(info.st_mode)
        if limit is not None and info.st_size > limit:
            raise FileTooLarge(f"larger than {describe_size(limit)}; not read")
    except BaseException:
        handle.close()
        raise
    return handle


def read_regular_file(path: str | os.PathLike[str], limit: int, *, start_only: bool = False) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (see :func:`open_regular_file`).

    With ``start_only``, a larger file is not refused: its first ``limit + 1`` bytes are
    returned, so the caller can tell that it was cut.
    """
    with open_regular_file(path, None if start_only else limit) as handle:
        if start_only:
            return _read_start(handle, limit + 1)
        return _read_capped(handle, limit)


def _read_start(handle: Any, size: int) -> bytes:
    """Up to ``size`` bytes. The first read asks for all of them, so a file of n bytes
    costs n bytes of memory, not 2n as collecting blocks and joining them would."""
    parts = [handle.read(size) or b""]
    total = len(parts[0])
    while total < size:
        block = handle.read(size - total)
        if not block:
            break
        parts.append(block)
        total += len(block)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _read_capped(handle: Any, limit: int) -> bytes:
    data = _read_start(handle, limit + 1)  # one read of the whole allowance: n bytes cost n, not 2n
    if len(data) > limit:
        raise FileTooLarge(f"larger than {describe_size(limit)}; not read")  # it grew while being read
    return data


def is_regular_file(path: Path) -> bool:
    """Whether ``path`` is a regular file (following links), without opening it."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except (OSError, ValueError):
        return False


def describe_size(size: int) -> str:
    """``64 MiB``, ``512 KiB``, ``100 bytes``."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size} bytes"


# --- text ----------------------------------------------------------------------------

# A UTF-8 sequence of four bytes (a character beyond U+FFFF, such as an emoji).
_ASTRAL = re.compile(rb"[\xf0-\xf7][\x80-\xbf]{0,3}")


def decode_text(data: bytes | bytearray) -> str:
    """UTF-8 text from untrusted bytes, damaged sequences replaced.

    Characters beyond U+FFFF (emoji) become U+FFFD: Python stores a whole string with 4
    bytes per character as soon as it holds one of them, so a 100 MiB file with a single
    emoji would take 400 MiB. Nothing exposure matches on (ids, names, hashes) uses them.
    """
    if _ASTRAL.search(data):
        data = _ASTRAL.sub("\ufffd".encode(), data)
    return data.decode("utf-8", errors="replace")


# --- JSON ----------------------------------------------------------------------------

def _parse_int(text: str) -> int | str:
    if len(text) > MAX_JSON_INT_DIGITS:
        return text  # kept as text: see the module's docstring
    return int(text)


def load_json(text: str | bytes) -> Any:
    """A JSON document, refusing deep nesting; huge integers stay text.

    Raises InvalidJSON for a syntax error and UntrustedInputError (both ValueErrors) for
    a refusal, with one plain line.
    """
    counted = (text.count(b",") + text.count(b"[") + text.count(b"{") if isinstance(text, bytes)
               else text.count(",") + text.count("[") + text.count("{"))
    if counted > MAX_JSON_VALUES:
        raise UntrustedInputError(f"more than {MAX_JSON_VALUES:,} values; too large")
    try:
        data = json.loads(text, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        raise InvalidJSON(f"not valid JSON (line {exc.lineno})") from None
    except RecursionError:
        raise UntrustedInputError(f"nested more than {MAX_JSON_DEPTH} levels deep") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidJSON(f"not valid JSON ({str(exc)[:80]})") from None
    if json_depth(data) > MAX_JSON_DEPTH:
        raise UntrustedInputError(f"nested more than {MAX_JSON_DEPTH} levels deep")
    return data


def json_depth(data: Any, stop: int = MAX_JSON_DEPTH) -> int:
    """How deep lists and objects nest in ``data`` (0 for a plain value), counted without
    recursion; stops counting once past ``stop``."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(data, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        depth += 1
        if depth > deepest:
            deepest = depth
            if deepest > stop:
                return deepest
        pending.extend((child, depth) for child in children if isinstance(child, dict | list))
    return deepest


# --- YAML ----------------------------------------------------------------------------

def check_yaml(text: str, loader: type[Any]) -> None:
    """Stream ``text``'s YAML events once and refuse aliases, too many values or too deep
    nesting, before anything is built from it. Syntax errors are left to the loader."""
    import yaml

    nodes = depth = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            line = event.start_mark.line + 1 if event.start_mark is not None else None
            if isinstance(event, yaml.AliasEvent):
                where = f"line {line}; " if line is not None else ""
                raise UntrustedInputError("YAML aliases are not accepted in files exposure did not ship"
                                          f" ({where}a few bytes of aliases can stand for gigabytes)", line)
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    raise UntrustedInputError(f"nested more than {MAX_YAML_DEPTH} levels deep", line)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            if isinstance(event, yaml.NodeEvent):
                nodes += 1
                if nodes > MAX_YAML_NODES:
                    raise UntrustedInputError(f"more than {MAX_YAML_NODES:,} values; too large", line)
    except yaml.YAMLError:
        return  # the loader reports the syntax error, with its line


def load_yaml(text: str, loader: type[Any]) -> Any:
    """``yaml.load`` with ``loader`` (a base or safe loader) after :func:`check_yaml`."""
    import yaml

    check_yaml(text, loader)
    return yaml.load(text, Loader=loader)  # noqa: S506 - callers pass a base or safe loader


def compose_yaml(text: str, loader: type[Any]) -> yaml.Node | None:
    """``yaml.compose`` (the node tree, with line numbers) after :func:`check_yaml`."""
    import yaml

    check_yaml(text, loader)
    return yaml.compose(text, Loader=loader)
