"""The API's JSON parser, bounded: body size and nesting depth are checked before parsing.

``json.loads`` recurses once per nesting level, so a body of 100,000 opening brackets ends in
``RecursionError`` (a 500) rather than a ``ValueError`` DRF would turn into a 400. The limits
(``API_JSON_MAX_KB``, ``API_JSON_MAX_DEPTH``) are checked on the raw bytes first.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from exchange.limits import LimitExceeded, check_json_text


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser behind the size and depth limits; past them a 400 names the limit."""

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        limit = settings.API_JSON_MAX_BYTES
        # One byte more than the limit is enough to know the body is too large.
        text = stream.read(limit + 1)
        try:
            check_json_text(text, max_bytes=limit, max_depth=settings.API_JSON_MAX_DEPTH)
        except LimitExceeded as error:
            raise ParseError(str(error)) from None
        return super().parse(io.BytesIO(text), media_type, parser_context)
