"""Models of merchant governance, one module per part."""

from .probation import Probation, ProbationEvent, ProbationPolicy  # noqa: F401
