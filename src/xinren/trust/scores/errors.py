"""Error codes of the trust scores (stable: clients match on them)."""

from __future__ import annotations

from django.utils.translation import gettext as _

UNKNOWN_VERSION = "trust_score_unknown_version"


def unknown_version_message(version: str) -> str:
    return _("没有这个评分公式版本：%(version)s") % {"version": version}
