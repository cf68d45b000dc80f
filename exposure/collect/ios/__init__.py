"""iPhone sources: a phone over USB (usbmuxd + lockdown, through pymobiledevice3), a folder
saved by ``--save``, and the phone's own traffic recorded through pcapd.

Every request that reaches a phone passes the allow-list in ``readonly.py``; the only
module that talks to pymobiledevice3 is ``usb.py`` (imported only when an iPhone check
starts: its dependency tree is large). A live phone and its saved copy hand the same raw
answers (``answers.py``) to the same parsers (``parse.py``) and the same assembly step
(``phone.py``), so both give the same observations.
"""
