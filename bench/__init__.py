"""Benchmarks; results go to docs/performance.md."""
