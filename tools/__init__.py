"""Developer tools that are not part of the app: `python -m tools.bench_reports` (`make bench`)."""
