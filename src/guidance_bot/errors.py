"""Errors shared across the core."""


class ConfigError(ValueError):
    """A settings problem: one line, in Japanese and English, naming the setting."""
