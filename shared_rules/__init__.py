"""Shared rules data: the bundle schema, default bundles and trusted keys."""
