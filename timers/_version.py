"""The package version (read by hatchling for the wheel)."""

__version__ = "0.1.0"
