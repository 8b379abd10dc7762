"""Tests of the benchmark suite (bench/): its generated cases, its report and a small run of every benchmark."""
