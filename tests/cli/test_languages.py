"""Errors in the person's language: every error key in the code has English and Chinese
texts in exposure/explain/errors.yaml with the same blanks, and every text there is used."""

from __future__ import annotations

import re

from exposure.explain.notes import error_texts
from tests.paths import REPO

KEY = re.compile(r"""["'](error\.[a-z0-9][a-z0-9.\-]*[a-z0-9])["']""")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_every_error_key_in_the_code_has_texts_and_every_text_is_used() -> None:
    keys = set()
    for path in (REPO / "exposure").rglob("*.py"):
        keys |= set(KEY.findall(path.read_text("utf-8")))
    # check_capture names its file: error.pcap.X said with the path is error.capture-file.X
    keys |= {key.replace("error.pcap.", "error.capture-file.", 1) for key in keys if key.startswith("error.pcap.")}
    texts = error_texts()
    assert len(keys) > 30
    assert sorted(keys - set(texts)) == []
    assert sorted(set(texts) - keys) == []
    for key, text in texts.items():
        english, chinese = text.get("en"), text.get("zh")
        assert english and chinese and english != chinese, key
        assert set(PLACEHOLDER.findall(english)) == set(PLACEHOLDER.findall(chinese)), key
