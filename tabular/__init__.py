"""Tabular files (CSV, XLSX) read within limits: the lowest floor, used by every app that
reads a file a person supplies (imports, catalogues, offers, the scoring command)."""
