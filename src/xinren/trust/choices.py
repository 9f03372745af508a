"""Programme statuses and their allowed transitions."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinren.core.transitions import TransitionTable


class ProgrammeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("生效中")
    RETIRED = "retired", _("已停用")


# An active programme goes back to draft to be revised (its badges disappear until it is activated again,
# as a new version); a retired programme is final, so that its code is never reused with other rules.
PROGRAMME_TRANSITIONS: TransitionTable = {
    ProgrammeStatus.DRAFT: frozenset({ProgrammeStatus.ACTIVE, ProgrammeStatus.RETIRED}),
    ProgrammeStatus.ACTIVE: frozenset({ProgrammeStatus.DRAFT, ProgrammeStatus.RETIRED}),
    ProgrammeStatus.RETIRED: frozenset(),
}
