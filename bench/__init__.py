"""Benchmarks (issue 9): datasets, in-process figures and the HTTP load run behind `make bench`."""
