"""An iPhone's model code (its ProductType, e.g. ``iPhone14,2``) → the name people know it
by ("iPhone 13 Pro"), so a report can say "the iPhone 13 Pro (iPhone14,2)".

Facts, not code: the codes and names are Apple's. Source: Apple's support page "Identify your
iPhone model" (HT201296) for the names, and the identifier lists
of KHwang9883/MobileModels (brands/apple_en.md, read at 02b9a2ed) up to the iPhone 12
family; the iPhone 13 to 16e families from StayRealHQ/iOS (StayReal/Const/DeviceModel.swift,
read at 1fe03bb6); the iPhone 17 family (iPhone18,1-4) as several public identifier
tables agree (2026-12; iPhone18,5, said to be an iPhone 17e, is left out until sure).
Only iPhones from the iPhone 6s and the first iPhone SE on are listed: older
ones cannot run an iOS that the USB checks read; iPads below. A code not listed (a newer
device, a crafted value) has no name: the report shows the code alone.
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

# iPads: a backup or a USB read of an iPad takes the same path. To the 2020 models from
# KHwang9883/MobileModels (brands/apple_en.md at 02b9a2ed); the 2021 to 2024 models (iPad 9th
# and 10th generation, iPad mini 6th generation, iPad Air 5th generation and M2, iPad Pro
# 11-inch 3rd/4th and 12.9-inch 5th/6th generation, iPad Pro M4) from its
# brands/apple_all_en.md (read at 06dc3341), which devicekit/DeviceKit
# (Source/Device.generated.swift, read at 00b7c0f8) agrees with; the 2024-2025 models it does
# not list yet (iPad mini (A17 Pro), iPad Air M3, iPad (A16)) from DeviceKit, as other public
# identifier tables agree. The iPad Air M4 and iPad Pro M5 are left out: the public tables
# disagree on their codes. A code not listed keeps its code alone.
IPAD_NAMES: Mapping[str, str] = MappingProxyType({
    "iPad6,11": "iPad (5th generation)",
    "iPad6,12": "iPad (5th generation)",
    "iPad7,5": "iPad (6th generation)",
    "iPad7,6": "iPad (6th generation)",
    "iPad7,11": "iPad (7th generation)",
    "iPad7,12": "iPad (7th generation)",
    "iPad11,6": "iPad (8th generation)",
    "iPad11,7": "iPad (8th generation)",
    "iPad12,1": "iPad (9th generation)",
    "iPad12,2": "iPad (9th generation)",
    "iPad13,18": "iPad (10th generation)",
    "iPad13,19": "iPad (10th generation)",
    "iPad15,7": "iPad (A16)",
    "iPad15,8": "iPad (A16)",
    "iPad5,3": "iPad Air 2",
    "iPad5,4": "iPad Air 2",
    "iPad11,3": "iPad Air (3rd generation)",
    "iPad11,4": "iPad Air (3rd generation)",
    "iPad13,1": "iPad Air (4th generation)",
    "iPad13,2": "iPad Air (4th generation)",
    "iPad13,16": "iPad Air (5th generation)",
    "iPad13,17": "iPad Air (5th generation)",
    "iPad14,8": "iPad Air (11-inch, M2)",
    "iPad14,9": "iPad Air (11-inch, M2)",
    "iPad14,10": "iPad Air (13-inch, M2)",
    "iPad14,11": "iPad Air (13-inch, M2)",
    "iPad15,3": "iPad Air (11-inch, M3)",
    "iPad15,4": "iPad Air (11-inch, M3)",
    "iPad15,5": "iPad Air (13-inch, M3)",
    "iPad15,6": "iPad Air (13-inch, M3)",
    "iPad6,3": "iPad Pro (9.7-inch)",
    "iPad6,4": "iPad Pro (9.7-inch)",
    "iPad6,7": "iPad Pro (12.9-inch)",
    "iPad6,8": "iPad Pro (12.9-inch)",
    "iPad7,1": "iPad Pro (12.9-inch, 2nd generation)",
    "iPad7,2": "iPad Pro (12.9-inch, 2nd generation)",
    "iPad7,3": "iPad Pro (10.5-inch)",
    "iPad7,4": "iPad Pro (10.5-inch)",
    "iPad8,1": "iPad Pro (11-inch)",
    "iPad8,2": "iPad Pro (11-inch)",
    "iPad8,3": "iPad Pro (11-inch)",
    "iPad8,4": "iPad Pro (11-inch)",
    "iPad8,5": "iPad Pro (12.9-inch, 3rd generation)",
    "iPad8,6": "iPad Pro (12.9-inch, 3rd generation)",
    "iPad8,7": "iPad Pro (12.9-inch, 3rd generation)",
    "iPad8,8": "iPad Pro (12.9-inch, 3rd generation)",
    "iPad8,9": "iPad Pro (11-inch, 2nd generation)",
    "iPad8,10": "iPad Pro (11-inch, 2nd generation)",
    "iPad8,11": "iPad Pro (12.9-inch, 4th generation)",
    "iPad8,12": "iPad Pro (12.9-inch, 4th generation)",
    "iPad13,4": "iPad Pro (11-inch, 3rd generation)",
    "iPad13,5": "iPad Pro (11-inch, 3rd generation)",
    "iPad13,6": "iPad Pro (11-inch, 3rd generation)",
    "iPad13,7": "iPad Pro (11-inch, 3rd generation)",
    "iPad13,8": "iPad Pro (12.9-inch, 5th generation)",
    "iPad13,9": "iPad Pro (12.9-inch, 5th generation)",
    "iPad13,10": "iPad Pro (12.9-inch, 5th generation)",
    "iPad13,11": "iPad Pro (12.9-inch, 5th generation)",
    "iPad14,3": "iPad Pro (11-inch, 4th generation)",
    "iPad14,4": "iPad Pro (11-inch, 4th generation)",
    "iPad14,5": "iPad Pro (12.9-inch, 6th generation)",
    "iPad14,6": "iPad Pro (12.9-inch, 6th generation)",
    "iPad16,3": "iPad Pro (11-inch, M4)",
    "iPad16,4": "iPad Pro (11-inch, M4)",
    "iPad16,5": "iPad Pro (13-inch, M4)",
    "iPad16,6": "iPad Pro (13-inch, M4)",
    "iPad5,1": "iPad mini 4",
    "iPad5,2": "iPad mini 4",
    "iPad11,1": "iPad mini (5th generation)",
    "iPad11,2": "iPad mini (5th generation)",
    "iPad14,1": "iPad mini (6th generation)",
    "iPad14,2": "iPad mini (6th generation)",
    "iPad16,1": "iPad mini (A17 Pro)",
    "iPad16,2": "iPad mini (A17 Pro)",
})

MODEL_NAMES: Mapping[str, str] = MappingProxyType({**IPHONE_NAMES, **IPAD_NAMES})


def model_name(code: str) -> str:
    """The name of the iPhone or iPad whose ProductType is ``code`` ("iPhone 13 Pro"), or ""
    when the code is not a known one: an exact match only, so no crafted text comes back."""
    return MODEL_NAMES.get(code, "")
