"""Settings for the test suite (pyproject's DJANGO_SETTINGS_MODULE): xinren.settings with the slow parts swapped.

Only what costs time and changes nothing the tests look at differs from xinren.settings; everything else, the
database from DATABASE_URL included, is the same. pytest-django runs SQLite tests on an in-memory database.
"""

from __future__ import annotations

from xinren import settings as base

# Copy every setting rather than `import *`: the names stay visible to Django, the module stays explicit.
globals().update({name: value for name, value in vars(base).items() if name.isupper()})

# A password hash takes about 0.3 s with PBKDF2 (1,000,000 iterations) and every factory user, API-key owner,
# demo account and login makes one: most of the suite's time before this line. MD5 is only for tests.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Whatever the developer's shell says, tests run as production does: no debug pages, no media served by Django,
# and pooled log entries integrated by the tests themselves (not by an on-commit hook that depends on DEBUG).
DEBUG = False
XINREN_LOG_INTEGRATE_ON_COMMIT = False
