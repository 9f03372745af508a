"""`manage.py adlaw_recheck` lists the merchants whose existing copy breaks the current term list."""

import io
import json

import pytest
from django.core.management import call_command

from xinren.accounts.choices import Role
from xinren.catalog.models import Product
from xinren.notify.models import Notification
from xinren.verification.choices import CredentialKind, CredentialStatus
from xinren.verification.models import Credential

from ..factories import ProductFactory, actor_for

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
    assert report["merchant"] == merchant.pk and len(lines) == 2 and lines[1].endswith("1 merchants to tell, 1 told")
    [product] = report["products"]
    assert product["product"] == old.pk and product["blocked"] is True
    assert [(f["field"], f["rule_id"], f["severity"]) for f in product["findings"]] == [
        ("name", "abs.grade", "block"),
        ("description", "cert.organic", "block"),
    ]
    assert certified.pk not in [p["product"] for p in report["products"]]
    assert list(Product.objects.order_by("pk").values_list("name", "description", "status")) == before


def test_merchants_are_told_once_per_term_list_and_findings(merchant, other_merchant, run_tasks):
    owner = actor_for(merchant, Role.OWNER).user
    staff = actor_for(merchant, Role.STAFF).user
    ProductFactory(merchant=merchant, name="普洱", description="治 疗高血压的绿色食品")
    ProductFactory(merchant=other_merchant, name="普洱", description="春茶")
    # a dry run tells nobody
    call_command("adlaw_recheck", "--dry-run", stdout=io.StringIO())
    run_tasks()
    assert not Notification.objects.exists()
    # when
    out = io.StringIO()
    call_command("adlaw_recheck", stdout=out)
    run_tasks()
    # then the owner (not the staff, not the other merchant) hears how many products and which list
    assert out.getvalue().strip().endswith("1 merchants to tell, 1 told")
    notice = Notification.objects.get()
    assert (notice.user_id, notice.kind, notice.params["count"]) == (owner.pk, "copy_noncompliant", 1)
    assert notice.params["version"] == "v2" and "/products/" in notice.link
    assert staff.pk != notice.user_id
    # and a second run with nothing changed does not tell them twice
    call_command("adlaw_recheck", stdout=io.StringIO())
    run_tasks()
    assert Notification.objects.count() == 1


def test_a_green_food_claim_blocks_without_the_verified_licence_and_passes_with_it(merchant):
    product = ProductFactory(merchant=merchant, name="脐橙", description="绿色食品认证")
    out = io.StringIO()
    call_command("adlaw_recheck", "--json", "--dry-run", stdout=out)
    [finding] = json.loads(out.getvalue().splitlines()[0])["products"][0]["findings"]
    assert (finding["rule_id"], finding["severity"]) == ("cert.green", "block")
    Credential.objects.create(
        organization=merchant, kind=CredentialKind.GREEN_FOOD, number="LB-18-1", holder_name="x",
        status=CredentialStatus.VERIFIED,
    )
    out = io.StringIO()
    call_command("adlaw_recheck", "--json", "--dry-run", stdout=out)
    assert str(product.pk) not in out.getvalue() and out.getvalue().strip().endswith("0 merchants to tell, 0 told")


def test_the_daily_job_rechecks_and_tells(merchant, run_tasks):
    from xinren.governance.copy_recheck_tasks import copy_recheck_task

    owner = actor_for(merchant, Role.OWNER).user
    ProductFactory(merchant=merchant, name="极品普洱", description="春茶")
    copy_recheck_task.enqueue()
    run_tasks()
    run_tasks()
    assert Notification.objects.get().user_id == owner.pk
