"""An iPhone backup folder (kind "ios-backup"): every artefact a check needs, read in
turn. One artefact that is missing is "not checked"; one that is damaged is a warning and
"not checked", and the others still run. An encrypted backup needs its password, handed
over in memory (``passwords.py``) or read from ``--password-file``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from exposure.collect.base import CollectContext, Progress
from exposure.collect.ios_backup import apps as A
from exposure.collect.ios_backup import browsing, messages, passwords, profiles, system
from exposure.collect.ios_backup.backup import ArtefactError, Backup, BackupError, NeedPassword, StoredFile
from exposure.collect.ios_backup.crypto import WrongPassword
from exposure.collect.ios_backup.links import MAX_LINKS, MAX_MESSAGE_TEXT
from exposure.collect.ios_backup.messages import Where
from exposure.errors import UserError
from exposure.model import CheckNote, Observation, SourceInfo, SourceSpec
from exposure.observations.ios import IosConfigProfile, IosProcess
from exposure.observations.ios_backup import IosLink, IosPermission

KIND = "ios-backup"
# Messages, not passwords:
NEEDS_PASSWORD = ("{folder} is an encrypted backup: give its password with --password-file FILE, or run the "  # noqa: S105
                  "check in a terminal to be asked for it")
WRONG_PASSWORD = "the password does not open the encrypted backup {folder}"  # noqa: S105 - a message
NEEDS_PASSWORD_KEY = "error.ios-backup.needs-password"  # noqa: S105 - the keys of those two in errors.yaml
WRONG_PASSWORD_KEY = "error.ios-backup.wrong-password"  # noqa: S105
DbReader = Callable[[sqlite3.Connection, Where], Iterator[Observation]]
PlistReader = Callable[[object, Where], Iterator[Observation]]


@dataclass(frozen=True, slots=True)
class Artefact:
    name: str  # checks.yaml: "ios-backup.<name>" (checked), ".absent", ".unreadable"
    what: str  # English words
    places: tuple[tuple[str, str], ...]  # (domain, relative path), every one that exists is read
    database: DbReader | None = None
    plist: PlistReader | None = None

    def note(self, suffix: str = "") -> CheckNote:
        words = {"": self.what, ".absent": f"{self.what} (not in this backup)",
                 ".unreadable": f"{self.what} (could not be read)"}[suffix]
        return CheckNote(f"ios-backup.{self.name}{suffix}", (), words)


_SAFARI = "AppDomain-com.apple.mobilesafari"
_FIREFOX = "AppDomainGroup-group.org.mozilla.ios.Firefox"
ARTEFACTS: tuple[Artefact, ...] = (
    Artefact("sms", "links in SMS and iMessage, and Apple's threat notifications",
             (("HomeDomain", "Library/SMS/sms.db"),), messages.sms),
    Artefact("safari-history", "Safari history", (("HomeDomain", "Library/Safari/History.db"),
                                                  (_SAFARI, "Library/Safari/History.db")), browsing.safari_history),
    Artefact("safari-tabs", "open Safari tabs", (("HomeDomain", "Library/Safari/BrowserState.db"),
                                                 (_SAFARI, "Library/Safari/BrowserState.db")), browsing.safari_tabs),
    Artefact("chrome", "Chrome history",
             (("AppDomain-com.google.chrome.ios", "Library/Application Support/Google/Chrome/Default/History"),),
             browsing.chrome_history),
    Artefact("firefox", "Firefox history", ((_FIREFOX, "profile.profile/browser.db"),
                                            (_FIREFOX, "profile.profile/places.db")), browsing.firefox_history),
    Artefact("whatsapp", "links in WhatsApp messages",
             (("AppDomainGroup-group.net.whatsapp.WhatsApp.shared", "ChatStorage.sqlite"),
              ("AppDomainGroup-group.net.whatsapp.WhatsAppSMB.shared", "ChatStorage.sqlite")), messages.whatsapp),
    Artefact("calendar", "links in calendar events", (("HomeDomain", "Library/Calendar/Calendar.sqlitedb"),),
             messages.calendar),
    Artefact("data-usage", "apps and processes that used the network (data usage)",
             (("WirelessDomain", "Library/Databases/DataUsage.sqlite"),), system.data_usage),
    Artefact("interactions", "apps in the phone's interaction records",
             (("HomeDomain", "Library/CoreDuet/People/interactionC.db"),), system.interactions),
    Artefact("permissions", "what each app may use (microphone, camera, contacts, photos, screen)",
             (("HomeDomain", "Library/TCC/TCC.db"),), system.tcc),
    Artefact("location", "which apps may use location",
             (("RootDomain", "Library/Caches/locationd/clients.plist"),), plist=system.location_clients),
    Artefact("lockdown-mode", "whether Lockdown Mode is on",
             (("HomeDomain", "Library/Preferences/.GlobalPreferences.plist"),), plist=system.lockdown_mode),
)
APPS = CheckNote("ios-backup.apps", (), "installed apps and whether the App Store installed them")
DEVICE = CheckNote("ios-backup.device", (), "device facts (model, iOS version, when the backup was made)")
PROFILES = CheckNote("ios-backup.profiles", (), "configuration profiles and their install and removal history")
WEBSITE_DATA = CheckNote("ios-backup.website-data", (), "sites whose data apps keep (WebKit)")
ALWAYS_NOT_CHECKED = (
    CheckNote("ios-backup.not-in-backups", (), "data that apps keep out of backups, and anything only in iCloud"),
    CheckNote("iphone.not-usb.sharing", (), "iCloud, Find My and location sharing"),
    CheckNote("iphone.not-usb.accounts", (), "who else can sign in to your Apple ID"),
)
UNENCRYPTED = CheckNote("ios-backup.unencrypted", (), "what iOS leaves out of unencrypted backups (browsing "
                        "history, call history, saved passwords, Health): an encrypted backup holds them")


def make_collector(spec: SourceSpec) -> IosBackupCollector:
    return IosBackupCollector(spec.target, password_file=spec.option("password_file"))


def is_encrypted(folder: str | Path) -> bool:
    """Whether ``folder`` is an encrypted backup (so a password must be asked for first)."""
    try:
        backup = Backup(folder, password=None)
    except NeedPassword:
        return True
    except BackupError:
        return False
    backup.close()
    return False


class IosBackupCollector:
    def __init__(self, path: str, password_file: str = "") -> None:
        self.path = path
        self.password_file = password_file
        self.info = SourceInfo(kind=KIND, name=path)

    def _open(self, ctx: CollectContext) -> Backup:
        password = passwords.take(self.path)
        if password is None and self.password_file:
            password = passwords.from_file(self.password_file)
        try:
            return Backup(self.path, password, ctx.cancel)
        except NeedPassword:
            raise UserError(NEEDS_PASSWORD.format(folder=self.path), key=NEEDS_PASSWORD_KEY, folder=self.path) from None
        except WrongPassword:
            raise UserError(WRONG_PASSWORD.format(folder=self.path), key=WRONG_PASSWORD_KEY, folder=self.path) from None
        except BackupError as exc:
            raise UserError(str(exc), key=exc.key, **exc.params) from None

    def collect(self, ctx: CollectContext) -> Iterator[Observation]:
        ctx.progress(Progress(self.info.name, "opening the backup", reading=DEVICE))
        backup = self._open(ctx)
        try:
            yield from self._read(backup, ctx)
        finally:
            backup.close()  # what was decrypted only ever lived in memory: this frees it

    def _read(self, backup: Backup, ctx: CollectContext) -> Iterator[Observation]:
        info, where = self.info, Where(KIND, self.path)
        info.details["encrypted"] = "yes" if backup.encrypted else "no"
        for problem in backup.problems:
            ctx.warn(problem)
        yield from A.device_facts(backup.info, backup.manifest, where, info.details)
        info.add_checked(DEVICE)
        found = list(A.apps(backup.info, backup, where))
        info.counts["packages"] = sum(1 for a in found if a.app_type == "User")
        info.add_checked(APPS)
        yield from found
        total = len(ARTEFACTS) + 2
        for step, artefact in enumerate(ARTEFACTS):
            if ctx.cancel.is_set():
                return
            ctx.progress(Progress(info.name, f"reading {artefact.what}", fraction=step / total,
                                  reading=artefact.note()))
            yield from self._artefact(backup, artefact, ctx)
        ctx.progress(Progress(info.name, "reading configuration profiles", fraction=(total - 2) / total,
                              reading=PROFILES))
        yield from self._profiles(backup, ctx)
        ctx.progress(Progress(info.name, "reading website data", fraction=(total - 1) / total, reading=WEBSITE_DATA))
        yield from self._website_data(backup, ctx)
        if not backup.encrypted:
            info.add_not_checked(UNENCRYPTED)
        for note in ALWAYS_NOT_CHECKED:
            info.add_not_checked(note)

    def _count(self, obs: Observation) -> None:
        what = {IosLink: "links", IosPermission: "permissions", IosProcess: "processes",
                IosConfigProfile: "profiles"}.get(type(obs))
        if what:
            self.info.counts[what] = self.info.counts.get(what, 0) + 1

    def _artefact(self, backup: Backup, artefact: Artefact, ctx: CollectContext) -> Iterator[Observation]:
        present = [(d, p, f) for d, p in artefact.places if (f := backup.find(d, p)) is not None]
        if not present:
            self.info.add_not_checked(artefact.note(".absent"))
            return
        read_one = False
        where = Where(KIND, self.path)
        for domain, path, stored in present:
            try:
                for obs in self._read_artefact(backup, artefact, stored, where):
                    self._count(obs)
                    yield obs
                    if ctx.cancel.is_set():
                        return
                read_one = True
            except ArtefactError as exc:
                if ctx.cancel.is_set():
                    return  # stopped by the person, not damaged: the scan says it was stopped
                self._damaged(ctx, f"{domain}/{path}", str(exc))
        if where.cuts.messages:
            ctx.warn(CheckNote.of(
                "warn.ios-backup.links-cut", f"{where.cuts.messages} messages ({artefact.what}) were longer than "
                f"exposure reads of one message ({MAX_MESSAGE_TEXT >> 20} MiB of text, {MAX_LINKS:,} different "
                "links): the links after that were not compared with the lists", count=where.cuts.messages,
                what=artefact.what, mib=MAX_MESSAGE_TEXT >> 20, links=MAX_LINKS))
        if read_one:
            self.info.add_checked(artefact.note())
        else:
            self.info.add_not_checked(artefact.note(".unreadable"))

    def _read_artefact(self, backup: Backup, artefact: Artefact, stored: StoredFile,
                       where: Where) -> Iterator[Observation]:
        if artefact.plist is not None:
            yield from artefact.plist(backup.plist(stored), where)
            return
        assert artefact.database is not None
        db = backup.database(stored)
        try:
            yield from artefact.database(db, where)
        finally:
            db.close()

    def _damaged(self, ctx: CollectContext, file: str, problem: str) -> None:
        ctx.warn(CheckNote.of("warn.ios-backup.unreadable", f"{file} could not be read: {problem}; the rest of the "
                              "backup was checked", file=file, problem=problem))

    def _plist_or_warn(self, backup: Backup, stored: StoredFile, ctx: CollectContext) -> object | None:
        try:
            return backup.plist(stored)
        except ArtefactError as exc:
            self._damaged(ctx, f"{stored.domain}/{stored.path}", str(exc))
            return None

    def _profiles(self, backup: Backup, ctx: CollectContext) -> Iterator[Observation]:
        where = Where(KIND, self.path)
        read = {path: self._plist_or_warn(backup, stored, ctx) for path in (profiles.CLOUD, profiles.EVENTS)
                if (stored := backup.find(profiles.DOMAIN, path)) is not None}
        stubs = [f for f in backup.find_under(profiles.DOMAIN, profiles.FOLDER) if f.path.endswith(".stub")]
        installed = [p for f in stubs if (p := profiles.stub(self._plist_or_warn(backup, f, ctx), where))]
        events = list(profiles.events(read.get(profiles.EVENTS), where, {p.identifier for p in installed}))
        for profile in profiles.with_install_times(installed, events):
            self._count(profile)
            yield profile
        yield from profiles.supervision(read.get(profiles.CLOUD), where)
        if events:
            self.info.counts["profile events"] = len(events)
        yield from events
        if any(v is not None for v in read.values()) or installed or backup.has_index:
            # With Manifest.db, no stub means no profile is installed: that was checked.
            self.info.add_checked(PROFILES)
        else:
            self.info.add_not_checked(CheckNote("ios-backup.profiles.absent", (),
                                                "configuration profiles (not in this backup)"))

    def _website_data(self, backup: Backup, ctx: CollectContext) -> Iterator[Observation]:
        if not backup.has_index:
            self.info.add_not_checked(CheckNote("ios-backup.website-data.absent", (),
                                                "sites whose data apps keep (needs Manifest.db)"))
            return
        where = Where(KIND, self.path)
        suffix = "Library/WebKit/WebsiteData/ResourceLoadStatistics/observations.db"
        for stored in backup.find_everywhere(suffix, "AppDomain"):
            app = stored.domain.split("-", 1)[-1]
            try:
                db = backup.database(stored)
                try:
                    for obs in browsing.webkit_observations(db, where, app):
                        self._count(obs)
                        yield obs
                finally:
                    db.close()
            except ArtefactError as exc:
                self._damaged(ctx, f"{stored.domain}/{stored.path}", str(exc))
        for obs in browsing.origin_folders(backup.relative_paths("%WebsiteData/%_%_%"), where):
            self._count(obs)
            yield obs
        self.info.add_checked(WEBSITE_DATA)

