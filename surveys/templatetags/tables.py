"""The scrolling wrapper of wide tables: one tag, so every such table is reachable by keyboard.

A table wider than a phone (390 px) scrolls sideways inside its wrapper. Keyboard users can
scroll it only if the wrapper takes focus, and screen-reader users must hear what they focus
(axe: ``scrollable-region-focusable``). ``{% scroll_region label %}`` opens the wrapper as a
focusable, named group; ``{% scroll_region labelledby="caption-id" %}`` names it by an
element of the page instead (a caption with markup or plurals). Close it with ``</div>``.
A group rather than a region: a region is a landmark, and one inside a section named by the
same heading would be a second landmark of that name (axe: ``landmark-unique``).
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def scroll_region(label: str = "", *, labelledby: str = "") -> str:
    if labelledby:
        return format_html(
            '<div class="table-wrap" tabindex="0" role="group" aria-labelledby="{}">', labelledby
        )
    if not label:
        # A name that came out empty (an untitled group) must not break the page.
        return format_html('<div class="table-wrap" tabindex="0" role="group">')
    return format_html('<div class="table-wrap" tabindex="0" role="group" aria-label="{}">', label)
