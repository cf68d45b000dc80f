"""Small byte-level parsers for the few fields exposure needs from network captures.

Full dissection (scapy's, Wireshark's) is far too slow for captures of millions of
packets, so these modules read only link layers, IP, UDP/TCP, DNS names and answers,
TLS ClientHello server names and server certificates, QUIC Initial server names and HTTP
Host headers. Every parser takes untrusted bytes and fails by returning nothing, never by
raising out of the packet loop.
"""
