"""Netral companion: the per-user local service that answers the browser extension's checks."""

__version__ = "0.1.0"
