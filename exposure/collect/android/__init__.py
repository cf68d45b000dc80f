"""Android sources: a phone over adb, a folder saved by ``--save``, an androidqf acquisition.

All three hand raw command outputs to the same parsers (``parsers/``) and the same
assembly step (``phone.py``), so a phone read live and its saved copy give the same
observations.
"""
