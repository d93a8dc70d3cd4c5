"""A client library for accessing Globus Timers jobs (reading timers and their run history)"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
