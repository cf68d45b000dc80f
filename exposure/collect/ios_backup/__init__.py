"""iPhone backups made by Finder, iTunes or Apple Devices (kind "ios-backup").

A backup folder holds ``Info.plist`` (device facts, installed apps), ``Manifest.db``
(SQLite: which file of the phone each stored file is), ``Manifest.plist`` (whether it is
encrypted, and its key bag) and the files themselves under ``fileID[:2]/fileID``.
``backup.py`` finds and reads those files (decrypting, for an encrypted backup, only the
ones a check needs, in memory: see ``crypto.py``); each artefact has its own small reader
(``messages.py``, ``browsing.py``, ``system.py``, ``profiles.py``); ``collector.py`` runs
them and turns what they read into observations. Written from the documented format,
not from any other tool's code.
"""
