"""Benchmarks: every figure is printed beside the floor measured in the same run (see __main__)."""
