"""exposure.untrusted, its reading half: files, JSON and YAML an adversary may have
crafted (issue 17). Each limit refuses just past it and accepts just within it."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest
import yaml

from exposure import untrusted
from exposure.untrusted import (
    FileTooLarge,
    InvalidJSON,
    SpecialFile,
    UntrustedInputError,
    decode_text,
    load_json,
    load_yaml,
    read_regular_file,
)

LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


def test_json_depth_just_within_and_just_past() -> None:
    depth = untrusted.MAX_JSON_DEPTH
    assert untrusted.json_depth(load_json("[" * depth + "]" * depth)) == depth
    with pytest.raises(UntrustedInputError, match="nested more than 64 levels deep"):
        load_json("[" * (depth + 1) + "]" * (depth + 1))
    with pytest.raises(UntrustedInputError, match="nested more than 64 levels deep"):
        load_json("[" * 1_000_000)  # past Python's own recursion limit: still one line


def test_long_integers_stay_text_and_short_ones_are_numbers() -> None:
    limit = untrusted.MAX_JSON_INT_DIGITS
    assert load_json(f'[{"9" * limit}, {"9" * (limit + 1)}, {"9" * 5000}, -1]') == [
        int("9" * limit), "9" * (limit + 1), "9" * 5000, -1]


def test_json_with_more_values_than_allowed_is_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(untrusted, "MAX_JSON_VALUES", 1000)
    # Counted from the marks: 400 objects = 400 braces + 399 commas + 1 bracket = 800.
    assert len(load_json("[" + ",".join(["{}"] * 400) + "]")) == 400
    with pytest.raises(UntrustedInputError, match="more than 1,000 values"):
        load_json(b"[" + b",".join([b"{}"] * 501) + b"]")


def test_syntax_errors_say_where() -> None:
    with pytest.raises(InvalidJSON, match=r"not valid JSON \(line 2\)"):
        load_json('{"a":\n]')
    with pytest.raises(InvalidJSON):
        load_json(b"\xff\xfe")


def test_yaml_aliases_depth_and_size_are_refused_before_anything_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UntrustedInputError, match=r"YAML aliases are not accepted .*line 2") as caught:
        load_yaml("- &a [x]\n- *a\n", LOADER)
    assert caught.value.line == 2
    assert load_yaml("- &a [x]\n- [y]\n", LOADER) == [["x"], ["y"]]  # an anchor alone harms nobody
    depth = untrusted.MAX_YAML_DEPTH
    assert load_yaml("[" * depth + "]" * depth, LOADER) is not None
    with pytest.raises(UntrustedInputError, match="nested more than 64 levels"):
        load_yaml("[" * (depth + 1) + "]" * (depth + 1), LOADER)
    monkeypatch.setattr(untrusted, "MAX_YAML_NODES", 10)
    with pytest.raises(UntrustedInputError, match="more than 10 values"):
        load_yaml("[" + ", ".join("x" * 10) + "]", LOADER)
    with pytest.raises(yaml.YAMLError):
        load_yaml("a: [b", LOADER)  # a syntax error is the loader's to report, with its line


pytestmark_linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="named pipes and /dev/zero")


@pytestmark_linux
@pytest.mark.timeout(20)
def test_special_files_are_never_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    opened = threading.Event()

    def writer() -> None:  # an open for writing returns only once someone opened it to read
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            opened.set()
        except OSError:
            pass

    with pytest.raises(SpecialFile) as caught:
        read_regular_file(fifo, 100)
    writer()
    assert caught.value.kind == "a named pipe (FIFO)" and not opened.is_set()
    with pytest.raises(SpecialFile, match="a device, not a regular file; not opened"):
        read_regular_file("/dev/zero", 100)
    with pytest.raises(SpecialFile, match="a folder"):
        read_regular_file(tmp_path, 100)
    assert isinstance(caught.value, OSError)  # callers that catch OSError report it as unreadable


def test_size_caps_and_the_start_of_a_large_file(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 101)
    assert read_regular_file(path, 101) == b"x" * 101
    with pytest.raises(FileTooLarge, match="larger than 100 bytes"):
        read_regular_file(path, 100)
    assert read_regular_file(path, 10, start_only=True) == b"x" * 11  # one more: the caller sees it was cut
    link = tmp_path / "link"
    link.symlink_to(path)
    assert read_regular_file(link, 200) == b"x" * 101


def test_text_beyond_u_ffff_is_replaced_so_a_string_stays_two_bytes_a_character() -> None:
    text = decode_text(("a" * 1000 + "😀 中").encode() + b"\xff")
    assert text == "a" * 1000 + "\ufffd 中\ufffd"
    assert sys.getsizeof(text) < 2 * len(text) + 100
