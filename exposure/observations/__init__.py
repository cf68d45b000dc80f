"""Concrete kinds of observation, by area: network, android, host.

They derive from exposure.model.Observation, carry typed fields, and say which of their
values the indicator index should look up.
"""
