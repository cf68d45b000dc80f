"""Sources in words: a phone by its model, a file by its name, this computer and the
workshop's practice data in the person's language; with what was read from each.

Sentences use the short name; the full path or serial stays in the record and the
technical details."""

from __future__ import annotations

from exposure.document import ObservationRecord, ReportDocument, SourceRecord
from exposure.explain.lines import Line, plain, words
from exposure.explain.texts import join, known, t, t_or, tf

APPLE_KINDS = frozenset({"iphone", "iphone-dump", "ios-backup"})


def short_name(source: SourceRecord, lang: str) -> str:
    """How a source is named in sentences: a phone by its model, a file by its name, this
    computer and the workshop's practice data in words."""
    if source.label:
        return t_or(f"source.label.{source.label}", lang, source.label)
    if source.kind == "host":
        return t("source.host", lang)
    if source.kind == "android":
        return phone_name(source)
    if source.kind == "iphone":  # its model; never the UDID in sentences (it stays in the details)
        return iphone_model(source, lang) or t(apple_key("source.iphone.unnamed", source), lang)
    if source.kind in ("pcap", "androidqf", "android-dump", "iphone-dump"):
        return file_name(source.name)
    return source.name


def phone_name(source: SourceRecord) -> str:
    """A phone's model when known ("Pixel 3a"), else its serial, else ""."""
    model = source.detail("model")
    if model:
        return model
    return "" if source.name in ("", "Android phone") else source.name


def iphone_model(source: SourceRecord, lang: str) -> str:
    """An iPhone's model as people know it with its code beside it ("iPhone 13 Pro
    (iPhone14,2)"); its code alone when the code is not a known iPhone's; else "".
    Never the phone's own name: its owner chose it and it may name them."""
    code = source.detail("model")
    name = source.detail("model name")
    if code and name:
        return plain(tf("source.iphone.model-code", lang, model=words(name), code=words(code)))
    return code


def is_ipad(source: SourceRecord | None) -> bool:
    """Whether an iPhone source (over USB, a saved folder, a backup) is an iPad, by the
    product type it gave ("iPad13,4"); an iPad is read the same way and named as one."""
    return source is not None and source.kind in APPLE_KINDS and source.detail("model").startswith("iPad")


def apple_key(key: str, source: SourceRecord) -> str:
    """``key``'s iPad wording (``key.ipad``) for an iPad, when there is one; else ``key``."""
    return f"{key}.ipad" if is_ipad(source) and known(f"{key}.ipad") else key


def file_name(path: str) -> str:
    trimmed = path.rstrip("/\\")
    return trimmed.replace("\\", "/").rsplit("/", 1)[-1] or path


def source_label(obs: ObservationRecord, lang: str) -> str:
    """Where an observation was seen: the host collector's "this computer" in ``lang``,
    any other source (a capture's path, a phone's serial) as it was recorded."""
    if obs.collector == "host":
        return t("source.host", lang)
    return obs.source


def source_name(report: ReportDocument, recorded: str, lang: str) -> str:
    """A source's name for showing beside a warning: its short name (a file's name, a
    phone's model, "this computer" in ``lang``); the scan's own parts (the checks, the
    indicator lists) in words; a name no source has is shown as it is."""
    source = report.source(recorded)
    if source is None:
        return t(f"warning-source.{recorded}", lang) if known(f"warning-source.{recorded}") else recorded
    return short_name(source, lang) or recorded


def source_line(source: SourceRecord, lang: str, counts: bool = True) -> Line:
    """"the network capture x.pcap (1200 packets, 40 names)": the source in words, by its
    short name (see :func:`short_name`), with what was read from it."""
    if source.label and known(f"source.label.{source.label}"):
        line = words(t(f"source.label.{source.label}", lang))
    elif source.kind == "android" and not phone_name(source):
        line = words(t("source.android.unnamed", lang))
    elif source.kind == "iphone" and not source.detail("model"):
        line = words(t("source.iphone.unnamed", lang))  # no product type: it may be either
    elif source.kind == "iphone" and source.detail("model name"):
        line = tf("source.iphone.model", lang, name=short_name(source, lang))
    elif source.kind in ("iphone-dump", "ios-backup") and source.detail("model name"):
        line = tf(f"source.{source.kind}.model", lang, model=iphone_model(source, lang),
                  name=short_name(source, lang))
    else:
        key = f"source.{source.kind}" if known(f"source.{source.kind}") else "source.other"
        line = tf(apple_key(key, source), lang, name=short_name(source, lang))
    shown: list[Line] = []
    if counts:
        for what, number in source.counts:
            key = f"count.{what}.one" if number == 1 and known(f"count.{what}.one") else f"count.{what}"
            if known(key):
                shown.append(tf(key, lang, count=words(str(number))))
    if shown:
        line = tf("source.with_counts", lang, source=line, counts=join(shown, lang))
    return line


def data_span(source: SourceRecord) -> str:
    """The time span of a source's data ("first – last"), or "" when unknown."""
    return " – ".join(x for x in (source.first_time or "", source.last_time or "") if x)


def counts_text(source: SourceRecord) -> str:
    """A source's counts as "packets=20, flows=3"."""
    return ", ".join(f"{k}={v}" for k, v in source.counts)
