"""Trivselsguiden: a well-being and concern guide for Danish municipalities."""
