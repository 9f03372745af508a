"""`manage.py adlaw_recheck` lists the merchants whose existing copy breaks the current term list."""

import io
import json

import pytest
from django.core.management import call_command

from xinren.catalog.models import Product
from xinren.verification.choices import CredentialKind, CredentialStatus
from xinren.verification.models import Credential

from ..factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_stored_copy_is_rechecked_with_the_merchants_verified_credentials(merchant, other_merchant):
    # given copy stored before the checks, and one merchant with a verified organic credential
    old = ProductFactory(merchant=merchant, name="极品普洱", description="有机茶园")
    ProductFactory(merchant=merchant, name="普洱", description="春茶")
    certified = ProductFactory(merchant=other_merchant, name="有机大米", description="东北黑土地")
    Credential.objects.create(
        organization=other_merchant,
        kind=CredentialKind.ORGANIC,
        number="C1",
        holder_name="x",
        status=CredentialStatus.VERIFIED,
    )
    before = list(Product.objects.order_by("pk").values_list("name", "description", "status"))
    # when
    out = io.StringIO()
    call_command("adlaw_recheck", "--json", "--warnings", stdout=out)
    # then only the first merchant is listed, with both of its blocking findings
    lines = out.getvalue().splitlines()
    report = json.loads(lines[0])
    assert report["merchant"] == merchant.pk and len(lines) == 2 and lines[1].endswith("1 merchants to tell")
    [product] = report["products"]
    assert product["product"] == old.pk and product["blocked"] is True
    assert [(f["field"], f["rule_id"], f["severity"]) for f in product["findings"]] == [
        ("name", "abs.grade", "block"),
        ("description", "cert.organic", "block"),
    ]
    assert certified.pk not in [p["product"] for p in report["products"]]
    assert list(Product.objects.order_by("pk").values_list("name", "description", "status")) == before
