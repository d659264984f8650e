"""Benchmarks are scripts (``python tests/benchmarks/bench_*.py``), not tests: minutes long and
machine-dependent, so pytest never collects them."""
collect_ignore_glob = ["bench_*.py", "common.py"]
