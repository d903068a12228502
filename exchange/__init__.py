"""Data exchange: streamed exports, all-or-nothing imports and their templates."""
