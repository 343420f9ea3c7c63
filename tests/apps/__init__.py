"""Tests of the apps layer (a package, so that its conftest does not shadow tests/conftest.py)."""
