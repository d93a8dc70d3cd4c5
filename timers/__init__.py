"""Python client for the Globus Timers service's run operations."""

__version__ = "0.1.0"
