"""Exception types raised by hfnotes.

Every error says what was wrong and what to do about it, so a learner who
meets one in a notebook can fix it without reading the source.
"""

from __future__ import annotations

__all__ = [
    "HfnotesError",
    "ConfigError",
    "AssetError",
    "ChecksumError",
    "MissingPackageError",
    "DataError",
    "InputError",
    "ExerciseError",
    "LaunchError",
    "NetworkBlockedError",
]


class HfnotesError(Exception):
    """Base class of every error hfnotes raises on purpose."""


class ConfigError(HfnotesError, ValueError):
    """An environment variable or setting has a value hfnotes cannot use."""


class AssetError(HfnotesError, RuntimeError):
    """A model or dataset asset is missing, damaged or cannot be built."""


class ChecksumError(AssetError):
    """A file's SHA-256 does not match the one hfnotes expects."""


class MissingPackageError(AssetError, ImportError):
    """A package that provides a bundled asset is not installed."""


class DataError(HfnotesError, ValueError):
    """The bundled data is missing, modified or malformed."""


class InputError(HfnotesError, ValueError):
    """A helper was called with input it cannot handle."""


class ExerciseError(HfnotesError, ValueError):
    """An answer to a notebook exercise failed its check; the message says what is wrong and gives a hint."""


class LaunchError(HfnotesError, RuntimeError):
    """A launched training run failed or did not finish in time."""


class NetworkBlockedError(HfnotesError, ConnectionError):
    """A connection left this machine while the network was blocked (the bundled-mode tests block it)."""
