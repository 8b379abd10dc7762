"""Benchmarks of the framework against a hand-written suite, Tavern and pytest itself: `python -m bench`."""
