"""The shared vocabulary of exposure: indicators, observations, findings and how sure we are.

Data flows one way, collect -> detect -> explain -> present, and these types are what
crosses each step. Everything here is immutable. Concrete kinds of observation (a DNS
query, an Android package, a running process...) live in ``exposure.observations``; they
all derive from :class:`Observation` and say which of their values the indicator index
should look up (:meth:`Observation.indicator_keys`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum, StrEnum
from typing import ClassVar


class Severity(StrEnum):
    """How serious a finding is, most serious first."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for critical ... 4 for info: sort findings by this."""
        return _SEVERITY_ORDER.index(self)


_SEVERITY_ORDER = list(Severity)


class Confidence(StrEnum):
    """How sure we are that a finding means what its explanation says."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Category(StrEnum):
    """What kind of thing a threat or finding is about."""

    STALKERWARE = "stalkerware"
    STATE_MONITORING = "state-monitoring"
    SPYWARE = "spyware"
    FORENSIC_AGENT = "forensic-agent"
    DUAL_USE = "dual-use"
    # An app a state system is documented to treat as suspicious: it puts its user at
    # risk, it does not spy on them.
    FLAGGED_APP = "flagged-app"
    HEURISTIC = "heuristic"

    @property
    def may_alert_installer(self) -> bool:
        """Whether removing such a thing may alert a person who installed it."""
        return self in (Category.STALKERWARE, Category.STATE_MONITORING, Category.SPYWARE,
                        Category.FORENSIC_AGENT)


class IndicatorType(StrEnum):
    """The kinds of value the index can answer for."""

    DOMAIN = "domain"
    IPV4 = "ipv4"
    IPV6 = "ipv6"
    CIDR = "cidr"  # an IPv4 or IPv6 network
    PACKAGE = "package"  # an Android application id
    # An iPhone app's bundle id: never compared with Android ids, which share their look
    # ("com.trackview" is an Android stalkerware id, "com.TrackView" an App Store app).
    IOS_BUNDLE = "ios-bundle"
    # Software installed on a computer: a dpkg/rpm/snap/flatpak name, a macOS bundle id or
    # launchd label, a Windows uninstall key, a .desktop file name. Never compared with phone
    # app ids: a Mac app may carry an id that an Android stalkerware list also has.
    DESKTOP_APP = "desktop-app"
    CERT_MD5 = "cert-md5"
    CERT_SHA1 = "cert-sha1"
    CERT_SHA256 = "cert-sha256"
    FILE_MD5 = "file-md5"
    FILE_SHA1 = "file-sha1"
    FILE_SHA256 = "file-sha256"
    # A process name on a phone (Android's ``ps``, an iPhone's running processes, crash
    # reports and backup records): what STIX2 ``process:name`` means in MVT's feeds.
    PROCESS = "process"
    # A program's name on a computer (this computer's running programs, the program a
    # desktop entry starts). Never compared with phone process names: an iPhone spyware's
    # process may carry the name of a macOS program.
    DESKTOP_PROCESS = "desktop-process"
    URL = "url"
    FILE_PATH = "file-path"
    EMAIL = "email"
    CONFIG_PROFILE = "config-profile"  # an iOS configuration profile's PayloadUUID (STIX2 configuration-profile:id)


class IndicatorRole(StrEnum):
    """What part an indicator plays for its threat. A vendor's website is not an infection."""

    C2 = "c2"  # where stolen data or commands go: contact means the tool is likely active
    APP = "app"  # identifies the tool itself (package id, certificate, hash, process)
    WEBSITE = "website"  # the vendor's own site: visiting it is not an infection
    DISTRIBUTION = "distribution"  # where the tool is downloaded from
    FLAGGED = "flagged"  # an app that a state system flags (not a spy tool)
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Reference:
    """A public source for a value or a claim.

    ``title`` is its English title (or the source's own, which stays as it is in every
    language); ``titles`` holds a profile's titles in other languages, when the title is ours
    ("what stalkerware is and where to find help"): ``(("zh", "..."),)``."""

    title: str
    url: str = ""
    titles: tuple[tuple[str, str], ...] = ()

    def title_in(self, lang: str) -> str:
        """The title in ``lang`` when the profile gives one, else ``title``."""
        return dict(self.titles).get(lang) or self.title


@dataclass(frozen=True, slots=True)
class Indicator:
    """One known-bad (or known-flagged) value, and where it comes from."""

    type: IndicatorType
    value: str  # normalised (see exposure.indicators.normalize)
    threat: str  # threat id, e.g. "spylive360" or "bxaq"
    profile: str  # profile id, or "" for a value that came from a feed only
    source: str  # feed name or "profile:<id>"
    role: IndicatorRole = IndicatorRole.APP
    references: tuple[Reference, ...] = ()
    note: str = ""  # why this value matters, when it is not obvious
    # A value that is never enough on its own (a shared certificate, a common name): it
    # adds weight when another indicator of the same threat matches the same subject.
    supporting: bool = False
    # When its source saw it in use ("YYYY-MM-DD" or "YYYY-MM"; "" when the source does not
    # say). An indicator last seen long ago drops one severity level (docs/severity.md).
    first_seen: str = ""
    last_seen: str = ""
    # A curated cap (docs/profiles.md, "Precedence"): a finding resting on this value is never
    # more serious than this, whatever the evidence class would give.
    max_severity: Severity | None = None


@dataclass(frozen=True, slots=True)
class IndicatorKey:
    """A value that an observation asks the index about."""

    type: IndicatorType
    value: str


@dataclass(frozen=True, slots=True)
class Observation:
    """Something a collector saw: what, where (source), when, and which collector.

    ``source`` names the input (a capture file, a phone's serial, "this computer").
    ``count`` says how often it was seen between ``first_seen`` and ``last_seen``:
    collectors aggregate repeats so memory stays flat on large inputs.
    Subclasses add typed fields and override :meth:`indicator_keys` and :meth:`describe`.
    """

    kind: ClassVar[str] = "observation"

    collector: str
    source: str
    first_seen: datetime | None = field(default=None, kw_only=True)
    last_seen: datetime | None = field(default=None, kw_only=True)
    count: int = field(default=1, kw_only=True)

    def indicator_keys(self) -> Iterable[IndicatorKey]:
        """The values the index should look up for this observation."""
        return ()

    def describe(self) -> str:
        """A one-line, plain description in English of what was seen (for evidence lists)."""
        return self.kind

    def subject(self) -> str:
        """What this observation is about (an app id, a host name): findings group by it."""
        return self.describe()

    def device(self) -> str:
        """The device this was seen on or from (a phone, this computer, a capture): one
        finding per tool per device (docs/severity.md)."""
        return self.source

    def facts(self) -> Mapping[str, str]:
        """Typed fields as text, for reports and explanation templates."""
        out: dict[str, str] = {}
        for name in _field_names(type(self)):
            value = getattr(self, name)
            if value is None or value == () or value == "":
                continue
            if isinstance(value, datetime):
                out[name] = value.isoformat()
            elif isinstance(value, Enum):
                out[name] = str(value.value)
            elif isinstance(value, tuple | frozenset):
                out[name] = ", ".join(str(v) for v in sorted(map(str, value)))
            else:
                out[name] = str(value)
        return out


def _field_names(cls: type) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)]


@dataclass(frozen=True, slots=True)
class Finding:
    """What exposure concludes from one or more observations.

    ``rule`` names the detector rule that produced it ("indicator" for an indicator
    match, or e.g. "network.dynamic-dns"); the explain layer finds its texts by rule,
    and by ``threat`` for indicator matches. ``params`` fill the placeholders of those
    texts. ``title`` is a short English title, used where no translation exists.
    """

    rule: str
    severity: Severity
    category: Category
    title: str
    confidence: Confidence
    evidence: tuple[Observation, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    threat: str = ""
    params: tuple[tuple[str, str], ...] = ()
    subject: str = ""  # what the finding is about (an app id, a domain...), for grouping

    @property
    def indicator(self) -> Indicator | None:
        """The first matching indicator, if this finding comes from an indicator match."""
        return self.indicators[0] if self.indicators else None

    def param(self, name: str, default: str = "") -> str:
        for key, value in self.params:
            if key == name:
                return value
        return default

    @property
    def key(self) -> str:
        """A stable identity for de-duplication and for tests."""
        return f"{self.rule}:{self.threat}:{self.subject}"


@dataclass(frozen=True, slots=True)
class CheckNote:
    """A sentence for the person, in any language: a text key (in
    ``exposure/explain/checks.yaml`` for what a collector looked at or could not, in
    ``warnings.yaml`` for a warning), the variable parts (counts, names; anything read
    from the source goes only here), and the English sentence, kept for readable JSON
    and as the fallback when a key has no text."""

    key: str  # "android.packages", "pcap.dns", "host.processes"...
    params: tuple[tuple[str, str], ...] = ()
    text: str = ""

    @classmethod
    def of(cls, key: str, text: str, /, **params: object) -> CheckNote:
        """``CheckNote.of("host.processes", "running programs: 12", count=12)``."""
        return cls(key, tuple((k, str(v)) for k, v in params.items()), text)


@dataclass(frozen=True, slots=True)
class ScanWarning:
    """Something a collector or detector could not see or could not decode.

    ``message`` is the English line; ``key`` and ``params``, when set, give the same in
    any language through ``exposure/explain/warnings.yaml``.
    """

    source: str
    message: str
    count: int = 1
    key: str = ""
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, source: str, said: str | CheckNote, count: int = 1) -> ScanWarning:
        if isinstance(said, str):
            return cls(source, said, count)
        return cls(source, said.text, count, said.key, said.params)


@dataclass(frozen=True, slots=True)
class LocalText:
    """A user-facing text in several languages: ``(("en", "..."), ("zh", "..."))``."""

    values: tuple[tuple[str, str], ...] = ()

    def get(self, lang: str, fallback: str = "en") -> str:
        """The text in ``lang``, else in ``fallback``, else any text there is."""
        found = dict(self.values)
        return found.get(lang) or found.get(fallback) or next(iter(found.values()), "")

    @property
    def languages(self) -> frozenset[str]:
        return frozenset(lang for lang, text in self.values if text)

    @classmethod
    def of(cls, **texts: str) -> LocalText:
        return cls(tuple(texts.items()))


@dataclass(frozen=True, slots=True)
class Threat:
    """A tool or family a profile looks for, with the texts that explain it."""

    id: str
    name: LocalText
    category: Category
    severity: Severity
    profile: str
    aliases: tuple[str, ...] = ()
    what_it_is: LocalText = LocalText()
    what_it_can_do: LocalText = LocalText()
    what_to_do: LocalText = LocalText()
    references: tuple[Reference, ...] = ()
    # Why ``severity`` is below what docs/severity.md gives its category, when it is (a cap).
    severity_reason: LocalText = LocalText()


@dataclass(frozen=True, slots=True)
class Profile:
    """What a person is worried about: the threats to look for and their indicators."""

    id: str
    title: LocalText  # in plain words, e.g. "Someone close to me may be watching my phone"
    description: LocalText
    threats: tuple[Threat, ...]
    # a tuple; from the precompiled form, a sequence that makes its objects when first read
    indicators: Sequence[Indicator]
    path: str = ""  # the file it was loaded from
    # Only used when the person chooses it (the travel check): never part of a default scan.
    opt_in: bool = False


# What a scan was asked to read and what it read: the request's sources, and the records a
# report keeps about each input and each feed. They live here, at the bottom, because the
# collectors, the indicator store, the pipeline and the renderers all share them.


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """One thing to check: ``kind`` is a collector name (see exposure.collect), ``target``
    its argument (a path, a serial, or "" for the default), ``options`` collector options."""

    kind: str
    target: str = ""
    options: tuple[tuple[str, str], ...] = ()

    def option(self, name: str, default: str = "") -> str:
        return dict(self.options).get(name, default)


# Among a source's ``undecoded`` counts, the damage that stopped the reading of a file ("file: <reason>").
FILE_DAMAGE = "file: "
# The names of network capture files (or that and ".gz"), as a folder of captures is read
# (``exposure.scan.capture_sources``: ``scan --pcap FOLDER`` and the app's file screen).
CAPTURE_SUFFIXES = (".pcap", ".pcapng", ".cap")


@dataclass(slots=True)
class SourceInfo:
    """What a report records about one input, filled in by the collector as it reads."""

    kind: str  # "pcap", "android", "android-dump", "androidqf", "host", ...
    name: str  # path, serial or "this computer"
    sha256: str = ""
    started: datetime | None = None
    finished: datetime | None = None
    first_time: datetime | None = None  # time span of the data itself (captures)
    last_time: datetime | None = None
    counts: dict[str, int] = field(default_factory=dict)  # packets, packages, processes...
    undecoded: dict[str, int] = field(default_factory=dict)  # what could not be decoded, by reason
    details: dict[str, str] = field(default_factory=dict)  # model, Android version, OS...
    checked: list[CheckNote] = field(default_factory=list)  # what was looked at
    not_checked: list[CheckNote] = field(default_factory=list)  # what could not be looked at
    # Why nothing could be read from this source (it could not be opened, or it held no
    # packets, no apps): a source with ``unread`` set was NOT checked. None: it was read.
    unread: CheckNote | None = None
    # Why the main part of a source that was read could not be (a phone whose app list could
    # not be read, while its settings and processes were): set, the source was only PARTLY
    # checked, said first; what it gave was checked and its findings stand.
    partly: CheckNote | None = None
    # A text key (texts.yaml "source.label.<label>") naming the source in words, used
    # instead of its path (the workshop demo's "the practice phone").
    label: str = ""

    def add_checked(self, note: CheckNote) -> None:
        """Record ``note`` once (a key with the same params is not repeated)."""
        if note not in self.checked:
            self.checked.append(note)

    def add_not_checked(self, note: CheckNote) -> None:
        if note not in self.not_checked:
            self.not_checked.append(note)


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """What a report records about an imported feed."""

    name: str
    format: str  # "echap-yaml", "stix2", "hosts", ...
    source: str  # where it was imported or downloaded from
    sha256: str
    imported: str  # ISO time
    profile: str = ""
    counts: tuple[tuple[str, int], ...] = ()
    version: str = ""
    # The date of the data itself (YYYY-MM-DD: the upstream commit or report it was taken
    # from, or the bundle's latest change), "" when the feed does not say.
    dated: str = ""
    bundled: bool = False  # shipped inside exposure, not imported by the person
    licence: str = ""  # the licence and the credit it asks for, when the feed has one

    @property
    def as_of(self) -> str:
        """The best date for how recent this feed is: its data's date, else when it was imported."""
        return (self.dated or self.imported)[:10]
