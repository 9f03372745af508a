"""The demo albums: drawn photos and the tea farm's certificate, loaded once through the services."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from pypdf import PdfReader

from xinren.evidence.demo import TEA_CERTIFICATE_NUMBER, demo_evidence_load
from xinren.evidence.models import Evidence
from xinren.evidence.selectors import album_for

pytestmark = pytest.mark.django_db


def test_demo_albums_are_loaded_once_with_the_tea_certificate(demo_world):
    # given: the demo world, albums included
    count = Evidence.objects.count()
    # when
    again = demo_evidence_load()
    # then
    assert again == 0 and Evidence.objects.count() == count
    by_product = {
        gtin: sorted(Evidence.objects.filter(product__gtin=gtin).values_list("purpose", flat=True))
        + sorted(Evidence.objects.filter(batch__product__gtin=gtin).values_list("purpose", flat=True))
        for gtin in ("06975830100012", "06975830200019", "06975830300016")
    }
    assert by_product == {
        "06975830100012": ["origin", "origin", "packing", "packing"],
        "06975830200019": ["certificate", "origin", "production"],
        "06975830300016": ["packing", "production"],
    }
    certificate = Evidence.objects.get(purpose="certificate")
    with default_storage.open(certificate.media.original, "rb") as stored:
        text = PdfReader(io.BytesIO(stored.read())).pages[0].extract_text()
    assert TEA_CERTIFICATE_NUMBER in text and "有机产品认证证书" in text
    assert certificate.caption == f"有机产品认证证书 {TEA_CERTIFICATE_NUMBER}"
    tea_lot = certificate.product.batches.get()  # type: ignore[union-attr]
    album = album_for(product=tea_lot.product, batch=tea_lot)
    assert album is not None and [i["purpose"] for i in album["photos"]] == ["origin", "production"]
    assert [i["caption"] for i in album["certificates"]] == [certificate.caption]
