"""ISDi's ``app-flags.csv``: Android and iOS apps that a tech-abuse clinic asks about.

Columns ``appId,store,flag,title`` (stopipv/isdi, MIT, Cornell University). ``store`` is
``playstore`` (Android application id), ``appstore`` (iOS bundle id, sometimes written with
its 10-character developer team prefix, which is dropped: an iPhone reports the bundle id
alone) or ``offstore`` (an Android id of an app not sold in a store). ``flag`` is the
clinic's class.

What becomes what (docs/feeds.md, "ISDi"):

* apps sold in a store, whatever their flag (``dual-use``, and the few ``spyware`` or
  ``stalkerware`` rows: family-safety and accountability apps) are **dual-use**: a
  legitimate app that can be used to watch someone; each app is its own threat, named by
  its title;
* ``offstore`` apps flagged ``spyware`` or ``stalkerware`` are **spyware** (hidden apps
  sold only from their makers' sites); ``offstore`` ``dual-use`` rows stay dual-use;
* ``safe`` rows are skipped. Every ``stalkerware`` row is also in Echap's lists (a test
  checks), which name the family, so those rows add nothing new.
"""

from __future__ import annotations

import re

from exposure.indicators.feeds.csvfeed import header, rows
from exposure.indicators.feeds.parsed import FeedBuilder, slug
from exposure.indicators.severity import headline
from exposure.model import Category, IndicatorRole, IndicatorType, Reference

FORMAT = "isdi-app-flags"
HEADER = ("appid", "store", "flag", "title")
STORES = {"playstore": "Android", "appstore": "iOS", "offstore": "Android"}
_TEAM_PREFIX = re.compile(r"^[A-Z0-9]{10}\.")
_REFERENCE = Reference("ISDi app-flags.csv (MIT, Cornell University)",
                       "https://github.com/stopipv/isdi/blob/main/src/isdi/data/app-flags.csv")
_HARMFUL_FLAGS = frozenset({"spyware", "stalkerware"})


def looks_like_app_flags(text: str) -> bool:
    return header(text) == HEADER


def bundle_id(app_id: str, store: str) -> str:
    """The id as a phone reports it: an iOS bundle id without its developer team prefix."""
    app_id = app_id.strip()
    if store == "appstore":
        return _TEAM_PREFIX.sub("", app_id)
    return app_id


def parse(text: str, builder: FeedBuilder) -> None:
    for app_id, store, flag, title in rows(text, HEADER, "ISDi's app-flags.csv", builder):
        store, flag = store.lower(), flag.lower()
        if store not in STORES:
            builder.warn("rows with an unknown store")
            continue
        if flag == "safe":
            continue
        value = bundle_id(app_id, store)
        category = Category.SPYWARE if store == "offstore" and flag in _HARMFUL_FLAGS else Category.DUAL_USE
        threat_id = slug(f"{STORES[store]}-{value}")
        if not threat_id:
            builder.warn("rows without an app id")
            continue
        threat = builder.threat(threat_id, title or value, category, headline(category), references=(_REFERENCE,))
        kind = IndicatorType.IOS_BUNDLE if store == "appstore" else IndicatorType.PACKAGE
        builder.add(kind, value, threat, IndicatorRole.APP, store)
