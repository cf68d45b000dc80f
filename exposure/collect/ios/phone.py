"""Raw iPhone answers → observations, the same way for a live phone and a saved folder.

Each answer present is decoded and turned into typed observations; an answer that is
missing is "not read" (a "not checked" line, never an error); one that cannot be decoded
is a warning and "not checked" too. What USB can never show is always listed as not
checked, with the manual step for each.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from exposure.collect.base import CollectContext
from exposure.collect.ios import answers as A
from exposure.collect.ios import parse as P
from exposure.model import CheckNote, Observation, SourceInfo
from exposure.observations.ios import NOT_FROM_STORE, IosFact, IosProcess


def assemble(raw: Mapping[str, bytes], info: SourceInfo, collector: str, ctx: CollectContext,
             source: str = "", unread: Mapping[str, str] | None = None) -> Iterator[Observation]:
    """Observations from the answers in ``raw`` (file name → bytes); fills ``info``.

    ``unread`` gives, for answers that could not be read, the reason (a warning each).
    """
    source = source or info.name
    decoded: dict[str, object] = {}
    for answer in A.ANSWERS:
        reason = (unread or {}).get(answer.file)
        if reason is not None:
            ctx.warn(CheckNote.of("warn.iphone.not-read", f"could not read {answer.what}: {reason}",
                                  what=answer.what, problem=reason))
            info.add_not_checked(answer.note)
            continue
        if answer.file not in raw:
            if answer is not A.DEVELOPER_MODE:
                info.add_not_checked(answer.note)
            continue
        try:
            decoded[answer.name] = P.load(answer, raw[answer.file])
        except P.BadAnswer as exc:
            ctx.warn(CheckNote.of("warn.iphone.bad-answer", f"{answer.file} could not be decoded: {exc}",
                                  file=answer.file, problem=str(exc)))
            info.add_not_checked(answer.note)
            continue
        info.add_checked(answer.note)
    for note in A.NOT_OVER_USB:
        info.add_not_checked(note)
    yield from _observations(decoded, info, collector, source)


# One branch per answer the phone gave, in the order a report lists them (noqa: C901).
def _observations(decoded: Mapping[str, object], info: SourceInfo, collector: str,  # noqa: C901
                  source: str) -> Iterator[Observation]:
    def fact(key: str, value: object) -> IosFact:
        return IosFact(collector, source, key, str(value).lower() if isinstance(value, bool) else str(value))

    details = P.device_details(decoded.get(A.VALUES.name))
    info.details.update(details)
    for key, label in (("model", "model"), ("ios_version", "iOS version"), ("ios_build", "iOS build")):
        if details.get(label):
            yield fact(key, details[label])

    apps = list(P.apps(decoded.get(A.APPS.name), collector, source))
    if A.APPS.name in decoded:
        info.counts["packages"] = len(apps)  # "packages", as an iPhone backup and Android count apps
        info.counts["packages-outside-store"] = sum(1 for a in apps if a.signing in NOT_FROM_STORE)
    yield from apps
    profiles = list(P.provisioning_profiles(decoded.get(A.PROVISIONING.name), collector, source))
    if A.PROVISIONING.name in decoded:
        info.counts["provisioning-profiles"] = len(profiles)
    yield from profiles
    configs = list(P.config_profiles(decoded.get(A.PROFILES.name), collector, source))
    if A.PROFILES.name in decoded:
        info.counts["profiles"] = len(configs)
    yield from configs

    if A.CLOUD.name in decoded:
        managed = P.supervision(decoded[A.CLOUD.name])
        yield fact("supervised", managed.supervised)
        if managed.organization:
            yield fact("organization", managed.organization)
        if managed.mdm_unremovable:
            yield fact("mdm_unremovable", True)
    for answer, key in ((A.DEVELOPER_MODE, "developer_mode"), (A.WIFI_SYNC, "wifi_sync"),
                        (A.BACKUP_ENCRYPTION, "backup_encryption")):
        value = P.flag(decoded.get(answer.name))
        if value is not None:
            yield fact(key, value)
    if A.AFC2.name in decoded:
        yield fact("afc2", P.afc2_started(decoded[A.AFC2.name]))

    running = P.processes(decoded.get(A.PROCESSES.name))
    if A.PROCESSES.name in decoded:
        info.counts["processes"] = len(running)
    for pid, name in running:
        yield IosProcess(collector, source, name, pid=pid)
    crashed = P.crash_process_names(decoded.get(A.CRASHES.name))
    if A.CRASHES.name in decoded:
        info.counts["crash-programs"] = len(crashed)
    for name in crashed:
        yield IosProcess(collector, source, name, origin="crash-report")
