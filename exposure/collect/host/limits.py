"""Every limit of the host collector in one place: sizes, counts and timeouts.

docs/security.md lists them with the other layers' limits. Another program's files and
its process data are untrusted: a program can replace its own file with a named pipe, or
run from a file system that never answers a read, so every read is bounded in time too.
"""

from __future__ import annotations

# Commands (package managers, gsettings, scutil): each is killed after this long, and
# what it prints beyond this many bytes is refused (a package list is a few MiB).
COMMAND_TIMEOUT = 20.0  # seconds; a package list on a large system takes one or two
MAX_COMMAND_OUTPUT = 64 * 1024 * 1024

# Running programs (psutil reads /proc, or asks the system, per program).
PROCESS_READ_TIMEOUT = 10.0  # seconds to read one program's details; then the list stops there
PROCESS_LIST_TIMEOUT = 120.0  # seconds for the whole list
CONNECTIONS_TIMEOUT = 60.0  # seconds for the list of network connections
MAX_CMDLINE = 1000  # characters kept of a command line

# Fingerprints (SHA-256) of program files.
HASH_MAX_FILE = 64 * 1024 * 1024  # larger program files are not fingerprinted
HASH_MAX_TOTAL = 512 * 1024 * 1024  # bytes read for fingerprints in one scan
FILE_READ_TIMEOUT = 20.0  # seconds to read one file (a program file, a certificate, the hosts file)
MAX_READ_TIMEOUTS = 3  # after this many reads that never finished, fingerprinting stops

# Files read from the system.
HOSTS_MAX_BYTES = 64 * 1024 * 1024  # the hosts file: only its start is read beyond this
HOSTS_MAX_ENTRIES = 500_000  # blocking lists can be large; beyond this the rest is skipped
CERT_MAX_FILE = 1024 * 1024  # one certificate file
CERT_MAX_BUNDLE = 16 * 1024 * 1024  # the combined bundle /etc/ssl/certs/ca-certificates.crt
# The ~150 certificates the distribution ships and the combined bundle are read together, in one
# helper thread (one thread per file cost more than the reading): all of them within this time.
CERT_COMPARE_TIMEOUT = 60.0
DESKTOP_MAX_ENTRY = 256 * 1024  # one .desktop file
DESKTOP_MAX_ENTRIES = 5000  # .desktop files read per folder
PLIST_MAX_FILE = 4 * 1024 * 1024  # one macOS Info.plist or launchd plist
SHELL_SETTINGS_MAX_FILE = 1024 * 1024  # /etc/environment or one /etc/profile.d script (proxy variables)
