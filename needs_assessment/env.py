"""Typed readers for environment variables that fail loudly on bad values.

Learns from healthchecks' ``hc/settings.py``: a misspelt ``DEBUG=maybe`` must stop start-up
with a message naming the variable, not silently fall back to a default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "", environ: Mapping[str, str] | None = None) -> str:
    """Return the variable's text, or ``default`` when it is unset."""
    source = os.environ if environ is None else environ
    return source.get(name, default)


def env_bool(name: str, default: bool = False, environ: Mapping[str, str] | None = None) -> bool:
    """Read a boolean; accepts 1/0, true/false, yes/no, on/off (any case).

    >>> env_bool("X", environ={"X": "yes"})
    True
    >>> env_bool("X", environ={"X": "maybe"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    django.core.exceptions.ImproperlyConfigured: X must be true or false ... got 'maybe'
    """
    source = os.environ if environ is None else environ
    if name not in source:
        return default
    value = source[name].strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be true or false (1/0, yes/no, on/off), got {source[name]!r}"
    )


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Read an integer, optionally bounded below."""
    source = os.environ if environ is None else environ
    if name not in source or source[name].strip() == "":
        return default
    try:
        value = int(source[name])
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {source[name]!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: str = "", environ: Mapping[str, str] | None = None) -> list[str]:
    """Read a comma-separated list, dropping blanks."""
    return [item.strip() for item in env_str(name, default, environ).split(",") if item.strip()]


def env_file_read(path: str | os.PathLike[str], environ: dict[str, str] | None = None) -> None:
    """Add the ``NAME=value`` lines of ``path`` to the environment, where not already set.

    ``manage.py`` reads the development ``.env`` that ``make run`` writes, so commands work in a
    new shell; variables set in the environment win. Blank lines and ``#`` comments are
    skipped; one pair of surrounding quotes is removed. A missing file is no error.

    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile("w", suffix=".env", delete=False) as f:
    ...     _ = f.write("# local\\nDEBUG=1\\nSITE_URL='http://x'\\nLOG_LEVEL=INFO\\n")
    >>> environ = {"LOG_LEVEL": "DEBUG"}
    >>> env_file_read(f.name, environ)
    >>> environ
    {'LOG_LEVEL': 'DEBUG', 'DEBUG': '1', 'SITE_URL': 'http://x'}
    """
    target = os.environ if environ is None else environ
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except FileNotFoundError:
        return
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name.isidentifier():
            raise ImproperlyConfigured(f"{path}, line {number}: expected NAME=value, got {line!r}")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        target.setdefault(name, value)
