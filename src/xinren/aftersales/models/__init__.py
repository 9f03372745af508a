"""The context's models, one module per part (requests, fund, recalls); Django finds them through this package."""
from .fund import *  # noqa: F403
