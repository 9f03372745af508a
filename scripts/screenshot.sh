#!/usr/bin/env bash
# Open the consumer pages in Debian's headless Chromium and save screenshots under var/screenshots/.
# Uses a scratch SQLite database with the demo data, so it never touches your own.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
    echo "Installing Debian's chromium (needs root and the Debian package mirror)…"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi

out="var/screenshots"
scratch="$(mktemp -d)"
port="${SCREENSHOT_PORT:-8765}"
mkdir -p "$out"
export DJANGO_DEBUG=1 DATABASE_URL="sqlite:///${scratch}/demo.sqlite3" XINREN_PUBLISH_DIR="${scratch}/published"
export XINREN_MEDIA_ROOT="${scratch}/media"
.venv/bin/python manage.py migrate --noinput >/dev/null
.venv/bin/python manage.py demo_load >/dev/null
.venv/bin/python manage.py runserver --noreload "127.0.0.1:${port}" >"${scratch}/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$scratch"' EXIT
for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:${port}/" >/dev/null 2>&1 && break; sleep 0.2; done

paths=$(.venv/bin/python - <<'PY'
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinren.settings")
import sys; sys.path.insert(0, "src"); django.setup()
from xinren.catalog.models import Item
item = Item.objects.select_related("batch", "product").order_by("product__gtin", "batch__lot", "id").first()
print("item", item.digital_link.path)
print("batch", item.batch.digital_link.path)
print("product", item.product.digital_link.path)
print("unknown", "/01/06975830100999/21/FAKE000001")
from xinren.orders.models import ShipmentItem
# an item its buyer confirmed delivered: the timeline ends with the receipt the platform signed
bought = ShipmentItem.objects.filter(shipment__receipt_event__organization__kind="platform").select_related(
    "item__batch", "item__product").order_by("id").first()
if bought is not None:
    print("delivered", bought.item.digital_link.path)
PY
)
shot() {  # name path width height [lang]
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
        --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="${scratch}/chrome-$1" \
        --lang="${5:-zh-CN}" --accept-lang="${5:-zh-CN}" --window-size="$3,$4" --screenshot="${out}/$1.png" "http://127.0.0.1:${port}$2" \
        >/dev/null 2>&1
    echo "${out}/$1.png  ← $2"
}
while read -r name path; do
    # the delivered item's page is shot whole: its timeline's last event is the buyer's confirmation
    shot "scan-${name}" "$path" 412 "$([ "$name" = delivered ] && echo 7600 || echo 2400)"
done <<<"$paths"
item_path=$(awk '$1=="item"{print $2}' <<<"$paths")
shot "scan-item-desktop" "$item_path" 1280 1800
shot "scan-item-en" "$item_path" 412 2400 en-US
shot "merchant-login" "/accounts/login/" 412 900
shot "community-feed" "/community/" 412 2400
shot "product-reviews" "$(awk '$1=="product"{print $2}' <<<"$paths")#reviews" 412 2400
