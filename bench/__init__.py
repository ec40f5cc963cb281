"""Benchmarks (`make bench`): measured, not asserted. Each prints its figures in French."""
