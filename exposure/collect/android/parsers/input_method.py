"""Keyboards (input methods): which are installed, switched on, and in use.

Two places say it, both read:

* ``dumpsys input_method`` (AOSP ``InputMethodManagerService.dump``)::

      Current Input Method Manager state:
        Input Methods: mMethodMapUpdateCount=9
        InputMethod #0:
          mId=com.google.android.inputmethod.latin/com.android.inputmethod.latin.LatinIME mSettingsActivityName=...
        ...
        mCurMethodId=com.google.android.inputmethod.latin/com.android.inputmethod.latin.LatinIME

* the secure settings ``default_input_method`` (the one in use) and
  ``enabled_input_methods`` (switched on: ``id;subtype;subtype:id...``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from exposure.collect.android.parsers.components import split_component

_INSTALLED = re.compile(r"^\s*mId=(\S+)")
_CURRENT = re.compile(r"^\s*mCurMethodId=(\S+)")


@dataclass(slots=True)
class Keyboards:
    installed: list[tuple[str, str]] = field(default_factory=list)  # (package, component)
    enabled: list[tuple[str, str]] = field(default_factory=list)
    current: tuple[str, str] | None = None


def parse_input_methods(dump: str, settings: Mapping[str, str]) -> Keyboards:
    out = Keyboards()
    for line in dump.splitlines():
        match = _INSTALLED.match(line)
        if match:
            found = split_component(match.group(1))
            if found and found not in out.installed:
                out.installed.append(found)
            continue
        match = _CURRENT.match(line)
        if match:
            out.current = split_component(match.group(1)) or out.current
    for entry in (settings.get("enabled_input_methods") or "").split(":"):
        found = split_component(entry.split(";", 1)[0])
        if found and found not in out.enabled:
            out.enabled.append(found)
    default = split_component((settings.get("default_input_method") or "").split(";", 1)[0])
    if default is not None:
        out.current = default
    if out.current is not None and out.current not in out.enabled:
        out.enabled.append(out.current)
    return out
