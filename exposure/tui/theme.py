"""Two colour themes: a calm default, and a high-contrast one that reads well on a projector."""

from __future__ import annotations

from textual.theme import Theme

CALM = Theme(
    name="exposure-calm",
    primary="#7FB3D5",
    secondary="#A9CCE3",
    accent="#F5CBA7",
    foreground="#E8EEF2",
    background="#1B2631",
    surface="#212F3D",
    panel="#2C3E50",
    success="#82E0AA",
    warning="#F8C471",
    error="#F1948A",
    dark=True,
)

HIGH_CONTRAST = Theme(
    name="exposure-high-contrast",
    primary="#FFFF00",
    secondary="#00FFFF",
    accent="#FFFF00",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#1A1A1A",
    success="#00FF00",
    warning="#FFFF00",
    error="#FF5555",
    dark=True,
)
