"""Benchmarks: each prints figures, its target and the ratio against a baseline run alongside."""
