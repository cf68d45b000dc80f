"""help_services.yaml: the services every report and the terminal summary list."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from exposure.explain.i18n import local_text
from exposure.explain.tables import table
from exposure.model import LocalText


@dataclass(frozen=True, slots=True)
class HelpService:
    """An organisation that helps people facing surveillance, with how to reach it."""

    id: str
    name: LocalText
    helps_with: LocalText
    for_whom: LocalText
    languages: LocalText
    web: str = ""
    email: str = ""
    phone: str = ""


@cache
def help_services() -> tuple[HelpService, ...]:
    return tuple(HelpService(
        id=str(entry["id"]),
        name=local_text(entry["name"]),
        helps_with=local_text(entry["helps_with"]),
        for_whom=local_text(entry["for_whom"]),
        languages=local_text(entry["languages"]),
        web=str(entry.get("web") or ""),
        email=str(entry.get("email") or ""),
        phone=str(entry.get("phone") or ""),
    ) for entry in _entries(table("help_services.yaml")))


def _entries(data: Any) -> list[dict[str, Any]]:
    return [entry for entry in data if isinstance(entry, dict)] if isinstance(data, list) else []
