"""Reliability tests: load, crash, bad input and faults against the real server and commands."""
