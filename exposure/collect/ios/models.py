"""An iPhone's model code (its ProductType, e.g. ``iPhone14,2``) → the name people know it
by ("iPhone 13 Pro"), so a report can say "the iPhone 13 Pro (iPhone14,2)".

Facts, not code: the codes and names are Apple's. Source: Apple's support page "Identify your
iPhone model" (HT201296) for the names, and the identifier lists
of KHwang9883/MobileModels (brands/apple_en.md, read at 02b9a2ed) up to the iPhone 12
family, cross-checked for the iPhone 13 to 16e families and the iPhone 17 family
(iPhone18,1-4) against several public identifier tables found with the code search
(2026-12). Only iPhones from the iPhone 6s and the first iPhone SE on are listed: older
ones cannot run an iOS that the USB checks read. A code not listed (an iPad, a newer
phone, a crafted value) has no name: the report shows the code alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# The report detail that carries the name (beside "model", which carries the code).
MODEL_NAME = "model name"

IPHONE_NAMES: Mapping[str, str] = MappingProxyType({
    "iPhone8,1": "iPhone 6s",
    "iPhone8,2": "iPhone 6s Plus",
    "iPhone8,4": "iPhone SE (1st generation)",
    "iPhone9,1": "iPhone 7",
    "iPhone9,3": "iPhone 7",
    "iPhone9,2": "iPhone 7 Plus",
    "iPhone9,4": "iPhone 7 Plus",
    "iPhone10,1": "iPhone 8",
    "iPhone10,4": "iPhone 8",
    "iPhone10,2": "iPhone 8 Plus",
    "iPhone10,5": "iPhone 8 Plus",
    "iPhone10,3": "iPhone X",
    "iPhone10,6": "iPhone X",
    "iPhone11,2": "iPhone XS",
    "iPhone11,4": "iPhone XS Max",
    "iPhone11,6": "iPhone XS Max",
    "iPhone11,8": "iPhone XR",
    "iPhone12,1": "iPhone 11",
    "iPhone12,3": "iPhone 11 Pro",
    "iPhone12,5": "iPhone 11 Pro Max",
    "iPhone12,8": "iPhone SE (2nd generation)",
    "iPhone13,1": "iPhone 12 mini",
    "iPhone13,2": "iPhone 12",
    "iPhone13,3": "iPhone 12 Pro",
    "iPhone13,4": "iPhone 12 Pro Max",
    "iPhone14,4": "iPhone 13 mini",
    "iPhone14,5": "iPhone 13",
    "iPhone14,2": "iPhone 13 Pro",
    "iPhone14,3": "iPhone 13 Pro Max",
    "iPhone14,6": "iPhone SE (3rd generation)",
    "iPhone14,7": "iPhone 14",
    "iPhone14,8": "iPhone 14 Plus",
    "iPhone15,2": "iPhone 14 Pro",
    "iPhone15,3": "iPhone 14 Pro Max",
    "iPhone15,4": "iPhone 15",
    "iPhone15,5": "iPhone 15 Plus",
    "iPhone16,1": "iPhone 15 Pro",
    "iPhone16,2": "iPhone 15 Pro Max",
    "iPhone17,3": "iPhone 16",
    "iPhone17,4": "iPhone 16 Plus",
    "iPhone17,1": "iPhone 16 Pro",
    "iPhone17,2": "iPhone 16 Pro Max",
    "iPhone17,5": "iPhone 16e",
    "iPhone18,3": "iPhone 17",
    "iPhone18,4": "iPhone Air",
    "iPhone18,1": "iPhone 17 Pro",
    "iPhone18,2": "iPhone 17 Pro Max",
})


def model_name(code: str) -> str:
    """The name of the iPhone whose ProductType is ``code`` ("iPhone 13 Pro"), or "" when
    the code is not a known iPhone's: an exact match only, so no crafted text comes back."""
    return IPHONE_NAMES.get(code, "")
