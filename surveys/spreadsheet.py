"""Cells safe to open in a spreadsheet, for every CSV and XLSX the platform writes.

Below every page that offers a CSV (history, planning, exports), so each floor neutralises
cells the same way.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FORMULA_PREFIXES", "neutralise"]

# Spreadsheet programs run cells starting with these as formulas (CSV injection, OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A cell value safe to open in a spreadsheet.

    >>> neutralise("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise("-1"), neutralise(-1), neutralise("Senegal")
    ("'-1", -1, 'Senegal')
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
