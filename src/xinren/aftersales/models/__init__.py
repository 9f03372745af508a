"""The context's models, one module per part (requests, fund, recalls, programmes, NPS); Django finds them through
this package."""
from .fund import *  # noqa: F403
from .nps import *  # noqa: F403
from .pickups import *  # noqa: F403
from .programmes import *  # noqa: F403
from .recalls import *  # noqa: F403
from .requests import *  # noqa: F403
