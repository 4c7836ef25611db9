"""The performance harness: `python -m benchmarks` runs every scenario that can run here,
prints one table and writes a JSON report (see benchmarks/README.md)."""
