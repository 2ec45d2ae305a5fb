"""Reliability and hostile-input tests: nothing crashes, nothing is lost, no one gets in."""
