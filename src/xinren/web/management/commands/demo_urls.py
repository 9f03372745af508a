"""`manage.py demo_urls`: print the URLs and logins to try after `make run`."""

from django.core.management.base import BaseCommand, CommandParser

from xinren.catalog.models import Item
from xinren.core.origin import public_origin
from xinren.demo import data
from xinren.orders.demo import CONSUMERS, DEMO_CONSUMER_PASSWORD
from xinren.trust.demo import ALLIANCES


class Command(BaseCommand):
    help = "Print the demo URLs and logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--port", type=int, default=None,
            help="the port served on (default: the one in XINREN_PUBLIC_ORIGIN, core/origin.py)",
        )

    def handle(self, *args: object, **options: object) -> None:
        base = f"http://127.0.0.1:{options['port']}" if options["port"] else public_origin()
        items = list(
            Item.objects.select_related("batch", "product").order_by("product__gtin", "batch__lot", "id")[:1]
        )
        lines = ["", "Xinren is starting. Try these:", ""]
        if items:
            item = items[0]
            lines += [
                f"  Consumer scan page (an item):   {base}{item.digital_link.path}",
                f"  Same item as JSON:              {base}/api/v1/trace{item.digital_link.path}",
                f"  A whole batch:                  {base}{item.batch.digital_link.path}",
                f"  A product:                      {base}{item.product.digital_link.path}",
                f"  A code that is not registered:  {base}/01/06975830100999/21/FAKE000001",
            ]
        lines += [
            f"  Shop (consumers):               {base}/shop/",
            f"  Merchant console:               {base}/merchant/",
            f"  Operator admin:                 {base}/admin/",
            f"  API docs (OpenAPI):             {base}/api/v1/docs",
            "",
            f"  Demo logins (password for all: {data.DEMO_PASSWORD}):",
        ]
        for username, display_name, org_slug, _role in data.PEOPLE:
            lines.append(f"    {username:<10} {display_name}  ({org_slug})")
        for org_slug, _name, *_rest, username, display_name in ALLIANCES:
            lines.append(f"    {username:<10} {display_name}  ({org_slug}, alliance)")
        lines.append(f"  Consumer logins at {base}/shop/ (phone, password {DEMO_CONSUMER_PASSWORD}):")
        for phone, name, _address in CONSUMERS:
            lines.append(f"    {phone}  {name}")
        lines.append(f"  Sign-in by SMS code:            {base}/shop/signin/?method=code")
        lines.append(f"  Password reset by SMS code:     {base}/shop/password/reset/")
        lines.append(f"  Texted codes and unlock links (sandbox SMS): {base}/admin/accounts/sandboxtextmessage/")
        lines.append(f"  After-sales (as 13800000001):   {base}/shop/aftersales/")
        lines.append(f"  After-sales queue, recalls (as mushroom): {base}/merchant/aftersales/  "
                     f"{base}/merchant/recalls/")
        lines.append(f"  Disputes and the compensation fund (as admin): {base}/merchant/aftersales/disputes/  "
                     f"{base}/merchant/fund/")
        lines.append(f"  Return pickup and evidence asked (as 13800000013): {base}/shop/aftersales/  "
                     f"courier's pickups (as coldchain): {base}/merchant/pickups/?done=1")
        lines.append(f"  After-sales NPS (as admin): {base}/merchant/aftersales/nps/  "
                     f"· answer one as 13800000003: {base}/shop/aftersales/")
        lines.append("  Who paid (平台先行赔付 and its recovery; 假一赔N paid by an insurer): as 13800000011 and "
                     "13800000012 at /shop/aftersales/, the disputes above as admin;")
        lines.append(f"    the insurer's claims (as insurer, password {DEMO_CONSUMER_PASSWORD}): "
                     f"{base}/merchant/insurance/claims/")
        lines.append(f"  Governance (as admin):          {base}/operator/  (applications, risk, blacklist, probation)")
        lines.append(f"  Apply to sell (as 13800000004, one waiting for review): {base}/merchant/apply/")
        lines.append(f"  A shop page with its licences and public record: {base}/shop/merchants/dianwei-bakery/  "
                     f"· its probation (as bakery): {base}/merchant/probation/")
        lines.append(f"  Licence expiring in 20 days, risk score (as mushroom): {base}/merchant/qualifications/  "
                     f"{base}/merchant/risk/")
        lines.append("")
        self.stdout.write("\n".join(lines))
