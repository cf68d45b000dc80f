"""A phone on this laptop's Wi-Fi: a temporary access point made through NetworkManager,
the phone's traffic recorded on it while the check runs, then the access point taken down
and the laptop's Wi-Fi put back as it was (TinyCheck's workflow, on an ordinary laptop).

- :mod:`.nmcli`: NetworkManager's command-line client, the few calls this needs;
- :mod:`.access_point`: start and stop, the Wi-Fi state saved before and restored after;
- :mod:`.joining`: the bland network name, the random password, the QR code to join;
- :mod:`.collector`: the source (kind "hotspot") that records the phone and names it.

Where NetworkManager or a Wi-Fi card that can be an access point is missing, the front ends
say so in one line, show how to share a connection by hand on macOS (Internet Sharing) and
Windows (Mobile hotspot), and record the interface the person picks.
"""
