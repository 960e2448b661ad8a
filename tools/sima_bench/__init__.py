"""Benchmarks (`make bench`): figures as medians of several runs, with min and max,
each compared as a ratio to a baseline measured in the same run.

Results are written as JSON under `bench/results/` with the machine they ran on.
"""
