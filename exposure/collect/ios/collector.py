"""An iPhone over USB (kind "iphone") and a folder saved from one (kind "iphone-dump").

The live collector reads every answer in ``answers.py`` through ``usb.py`` (imported only
here, when a check starts), keeps them with ``--save DIR``, and hands them to the same
assembly step as a saved folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from exposure.collect.base import CollectContext, Progress
from exposure.collect.ios import answers as A
from exposure.collect.ios.dump import prepare_folder, read_dump, write_dump
from exposure.collect.ios.phone import assemble
from exposure.errors import UserError
from exposure.model import CheckNote, Observation, SourceInfo
from exposure.observations.ios import IosFact

if TYPE_CHECKING:
    from exposure.collect.ios.usb import Probe
    from exposure.model import SourceSpec

NO_SUPPORT = ("iPhone support is missing (the pymobiledevice3 package): install exposure again with the command "
              "at the top of the README, which brings it")
NO_SUPPORT_KEY = "error.iphone.no-support"  # its texts in exposure/explain/errors.yaml
_WAITING = CheckNote.of("reading.iphone-trust", "waiting for the iPhone: unlock it and tap Trust if it asks")
DEFAULT_TRUST_WAIT = 120.0


def iphone_probe(udid: str = "") -> Probe:
    """Whether an iPhone is there and already trusts this computer (no Trust prompt is
    caused). Raises UserError with one line for each state that stops a check."""
    try:
        from exposure.collect.ios import usb
    except ImportError:
        raise UserError(NO_SUPPORT, key=NO_SUPPORT_KEY) from None
    return usb.probe(udid)


def make_collector(spec: SourceSpec) -> IphoneCollector:
    wait = spec.option("trust_wait")
    return IphoneCollector(spec.target, save=spec.option("save"),
                           trust_wait=float(wait) if wait else DEFAULT_TRUST_WAIT)


def make_dump_collector(spec: SourceSpec) -> IphoneDumpCollector:
    return IphoneDumpCollector(spec.target)


class IphoneCollector:
    def __init__(self, udid: str = "", save: str = "", trust_wait: float = DEFAULT_TRUST_WAIT) -> None:
        self.udid = udid
        self.save = save
        self.trust_wait = trust_wait
        self.info = SourceInfo(kind="iphone", name=udid or "iPhone")

    def collect(self, ctx: CollectContext) -> Iterator[Observation]:
        try:
            from exposure.collect.ios import usb
        except ImportError:
            raise UserError(NO_SUPPORT, key=NO_SUPPORT_KEY) from None
        folder = prepare_folder(self.save) if self.save else None
        ctx.progress(Progress(self.info.name, "waiting for the iPhone (unlock it; tap Trust if it asks)",
                              reading=_WAITING))

        def step(answer: A.Answer) -> None:
            index = A.ANSWERS.index(answer)
            ctx.progress(Progress(self.info.name, f"reading {answer.what}", fraction=index / len(A.ANSWERS),
                                  reading=answer.note))

        read = usb.read_phone(self.udid, pair_timeout=self.trust_wait, step=step, cancel=ctx.cancel)
        self.info.name = read.udid
        if ctx.cancel.is_set():
            return
        if folder is not None:
            write_dump(folder, read.udid, read.raw, read.failed)
            self.info.details["saved to"] = str(folder)
        yield from assemble(read.raw, self.info, "iphone", ctx, unread=read.failed)
        # This computer is now trusted by the phone: the report says so and how to undo it.
        yield IosFact("iphone", read.udid, "paired_with_this_computer", read.pairing_record)


class IphoneDumpCollector:
    def __init__(self, path: str) -> None:
        self.path = path
        self.info = SourceInfo(kind="iphone-dump", name=path)

    def collect(self, ctx: CollectContext) -> Iterator[Observation]:
        dump = read_dump(self.path)
        for problem in dump.problems:
            ctx.warn(problem)
        if dump.refused:
            self.info.details["tampered"] = ", ".join(sorted(dump.refused))
        for key in ("udid", "time", "exposure_version"):
            if dump.device.get(key):
                self.info.details[f"saved {key.replace('_', ' ')}"] = dump.device[key]
        yield from assemble(dump.raw, self.info, "iphone-dump", ctx, source=_udid(dump.device.get("udid", ""))
                            or self.info.name)


def _udid(value: str) -> str:
    """The saved UDID, if it looks like one (the file may have been edited)."""
    value = value.strip()
    return value if 0 < len(value) <= 64 and all(c.isalnum() or c == "-" for c in value) else ""
