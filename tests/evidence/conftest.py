"""A stored photo for the evidence tests."""

from __future__ import annotations

import pytest

from xinren.evidence.models import MediaFile
from xinren.evidence.services import media_ingest

from . import samples


@pytest.fixture
def photo(db) -> MediaFile:  # type: ignore[no-untyped-def]
    return media_ingest(content=samples.jpeg_with_gps(), filename="forest.jpg")

