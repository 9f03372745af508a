"""`{{ data|jsonld }}`: JSON for a <script type="application/ld+json"> block, escaped like Django's json_script."""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# <, > and & cannot then close the script element or open a comment, whatever a review's text says.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def jsonld(value: Any) -> SafeString:
    return mark_safe(json.dumps(value, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES))
