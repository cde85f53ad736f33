"""Benchmarks: they print figures and are never part of the pass/fail suite."""
