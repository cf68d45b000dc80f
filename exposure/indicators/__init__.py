"""Indicators: threat profiles (YAML) and feeds (Echap, STIX2, hosts) -> one fast index."""
