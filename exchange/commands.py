"""Helpers shared by the exchange management commands (framework lookup, output, reports)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from exchange.imports import ImportResult
from surveys.models import Framework


def framework_from_options(code: str, version: str | None) -> Framework:
    """The framework ``code`` at ``version``, or its latest published version."""
    frameworks = Framework.objects.filter(code=code)
    if version:
        frameworks = frameworks.filter(version=version)
    else:
        frameworks = frameworks.exclude(status="draft").order_by("-published_at", "-pk")
    framework = frameworks.first()
    if framework is None:
        known = ", ".join(str(f) for f in Framework.objects.all()[:20]) or "none"
        raise CommandError(f"no framework {code} {version or ''} (stored: {known})".strip())
    return framework


def write_chunks(chunks: Iterator[bytes], output: str | None, stdout: Any) -> int:
    """Write byte chunks to ``output`` (a path; ``-`` or None: standard output)."""
    total = 0
    if output and output != "-":
        with Path(output).open("wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
                total += len(chunk)
        return total
    binary = getattr(stdout, "buffer", None)
    for chunk in chunks:
        total += len(chunk)
        if binary is not None:
            binary.write(chunk)
        else:
            # Text streams (tests, wrappers): chunks end at row boundaries, so decoding is safe.
            stdout.write(chunk.decode("utf-8"), ending="")
    if binary is not None:
        binary.flush()
    return total


def report(result: ImportResult, stdout: Any, style: Any) -> None:
    """Print every error (row, column, reason) or the plan, then the summary; fail on errors."""
    for error in result.errors:
        stdout.write(f"  {error}")
    if result.more_errors:
        stdout.write(f"  ... and {result.more_errors} more errors")
    for change in result.changes:
        stdout.write(
            f"  row {change.row}: {change.action} {change.key}: {change.before} -> {change.after}"
        )
    if not result.ok:
        raise CommandError(result.summary())
    stdout.write(style.SUCCESS(result.summary()))
