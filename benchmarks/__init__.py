"""Benchmarks: `make bench` (python -m benchmarks). Not tests: they measure and print tables."""
