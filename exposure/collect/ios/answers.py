"""The answers exposure reads from an iPhone, by name: what each is, which "checked" line it
gives, and the file it is kept in by ``--save`` (``<name>.plist`` or ``<name>.json``).

``usb.py`` asks the phone for each of them through the read-only allow-list; ``dump.py``
reads them back from a saved folder; ``phone.py`` turns them into observations.
"""

from __future__ import annotations

from dataclasses import dataclass

from exposure.model import CheckNote


@dataclass(frozen=True, slots=True)
class Answer:
    name: str  # file stem in a saved folder
    what: str  # what it reads, in English words
    check: str  # its key in exposure/explain/checks.yaml
    suffix: str = ".plist"

    @property
    def file(self) -> str:
        return self.name + self.suffix

    @property
    def note(self) -> CheckNote:
        return CheckNote(self.check, (), self.what)


VALUES = Answer("values", "device facts (model, iOS version)", "iphone.values")
DEVELOPER_MODE = Answer("developer_mode", "whether Developer Mode is on", "iphone.developer-mode")
WIFI_SYNC = Answer("wifi_sync", "whether the phone can be read over Wi-Fi (Wi-Fi sync)", "iphone.wifi-sync")
BACKUP_ENCRYPTION = Answer("backup_encryption", "whether computer backups are encrypted", "iphone.backup-encryption")
# The installation proxy's list of app dicts, unchanged (bundle id, names, signer, entitlements).
APPS = Answer("apps", "installed apps and who signed them", "iphone.apps")
# misagent's CopyAll: each provisioning profile as the phone stores it (signed CMS blobs).
PROVISIONING = Answer("provisioning_profiles", "provisioning profiles (what allowed apps from outside the App Store)",
                      "iphone.provisioning-profiles")
# MCInstall GetProfileList: configuration profiles with their payload summaries.
PROFILES = Answer("profiles", "configuration profiles and what they set", "iphone.profiles")
CLOUD = Answer("cloud_configuration", "supervision and device management (cloud configuration)",
               "iphone.cloud-configuration")
PROCESSES = Answer("processes", "running processes", "iphone.processes")
CRASHES = Answer("crash_reports", "names of programs in crash reports", "iphone.crash-reports", ".json")
AFC2 = Answer("afc2", "the afc2 service (only present on jailbroken phones)", "iphone.afc2", ".json")

# The order is the order of collection: cheap and important first.
ANSWERS: tuple[Answer, ...] = (
    VALUES, APPS, PROVISIONING, PROFILES, CLOUD, DEVELOPER_MODE, WIFI_SYNC, BACKUP_ENCRYPTION,
    PROCESSES, CRASHES, AFC2,
)
BY_FILE: dict[str, Answer] = {a.file: a for a in ANSWERS}

# What cannot be seen over USB, with the manual step for each (keys in checks.yaml).
NOT_OVER_USB: tuple[CheckNote, ...] = (
    CheckNote("iphone.not-usb.messages", (), "messages and their links (not readable over USB; an encrypted "
              "backup can be checked by experts)"),
    CheckNote("iphone.not-usb.browsing", (), "browsing history (not readable over USB)"),
    CheckNote("iphone.not-usb.permissions", (), "which apps may use location, camera, microphone, photos: look in "
              "Settings → Privacy & Security"),
    CheckNote("iphone.not-usb.sharing", (), "iCloud, Find My and location sharing: look in Settings → [your name] → "
              "Find My, and use Settings → Privacy & Security → Safety Check"),
    CheckNote("iphone.not-usb.accounts", (), "who else can sign in to your Apple ID: Settings → [your name] → "
              "Sign-In & Security, and the list of devices at the bottom of Settings → [your name]"),
)
