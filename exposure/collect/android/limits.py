"""Every limit of the Android collectors in one place: sizes, counts and timeouts.

docs/security.md lists them with the other layers' limits. A phone, an acquisition and a
saved dump are untrusted: an abuser may have prepared the phone or the file handed to the
person. The sizes are generous next to real data (noted beside each) and small next to
what would exhaust memory; what is over a limit is not read, with a warning.
"""

from __future__ import annotations

MIB = 1024 * 1024

# --- adb: each command has its own timeout (commands.py) and output cap -----------------
SHORT_TIMEOUT = 30.0  # seconds: getprop, settings, ps
LIST_TIMEOUT = 60.0  # package lists, most dumpsys services
SLOW_TIMEOUT = 120.0  # dumpsys appops, dumpsys netstats
DUMPSYS_PACKAGE_TIMEOUT = 180.0  # dumpsys package and batterystats on a phone with hundreds of apps
DEVICES_TIMEOUT = 30.0  # adb devices -l
HASH_TIMEOUT = 120.0  # sha256sum of up to HASH_BATCH app files
APK_TIMEOUT = 120.0  # reading one app file for its signing certificate
# A command that prints nothing for this long has stopped answering, whatever its own
# timeout (a long dumpsys keeps printing as it goes).
IDLE_TIMEOUT = 20.0
# After a command timed out, this short question says whether the phone still answers;
# if it does not, the phone "stopped answering" and the rest is not asked.
PROBE_TIMEOUT = 10.0
MAX_TIMEOUTS = 2  # after this many commands without an answer, stop asking
# So a phone that never answers costs IDLE_TIMEOUT + PROBE_TIMEOUT (30 s), one that stops
# midway at most IDLE_TIMEOUT + PROBE_TIMEOUT + IDLE_TIMEOUT (50 s) of waiting.
MAX_OUTPUT = 16 * MIB  # per command (getprop, settings, ps, pm list: well under 1 MiB on real phones)
MAX_LARGE_OUTPUT = 128 * MIB  # dumpsys package, batterystats, netstats (real ones: 2-40 MiB)
# All outputs of one phone together: a phone that prints the most it may for every command
# must not need more memory than the scan may use.
MAX_PHONE_OUTPUT = 256 * MIB
MAX_CERT_APPS = 25  # APK files read for signing certificates, apps from outside a store only
MAX_APK_BYTES = 150 * MIB  # stalkerware APKs are a few MiB

# --- what the parsers read -------------------------------------------------------------
MAX_LINE_CHARS = 256 * 1024  # a line longer than this is cut (real dumpsys lines: under 10 KiB)
# Lines read of one output: a real dumpsys package has under 500,000; 40 million empty
# lines would keep a parser busy for a minute.
MAX_OUTPUT_LINES = 2_000_000

# --- androidqf acquisitions (folder or zip) --------------------------------------------
MAX_ACQUISITION_FILE = 128 * MIB  # one text file; a real dumpsys.txt is 5-60 MiB
# One JSON file (packages.json, processes.json, files.json): parsed JSON takes up to 20
# times its size in memory. A real packages.json with certificates is about 1 MiB.
MAX_ACQUISITION_JSON = 16 * MIB
MAX_ACQUISITION_TOTAL = 256 * MIB  # all files read from one acquisition together
MAX_MEMBERS = 100_000  # files in a zip
# A zip member that unpacks to more than MAX_RATIO times its packed size (and to more than
# RATIO_FLOOR bytes) is a zip bomb, not text: dumpsys output packs about 10:1.
MAX_RATIO = 200
RATIO_FLOOR = 1 * MIB

# --- saved dumps (--save / --android-dump) ---------------------------------------------
MAX_DUMP_FILE = 128 * MIB  # one saved output (the same cap as the command that made it)
MAX_DUMP_FILES = 200  # files read from one dump folder
MAX_DUMP_TOTAL = 256 * MIB  # all files of one dump together
