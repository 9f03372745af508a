"""`{% picture %}`: a photo as `<picture>` with AVIF and WebP sources and a JPEG fallback (catalog/images.py).

    {% load photos %}
    {% picture ref alt=product.name sizes="(max-width: 600px) 100vw, 600px" %}
    {% picture ref alt="" sizes="104px" max_width=320 css_class="thumb" %}

`ref` is a `catalog.images.PhotoRef` (selectors hand them out); None draws nothing, so a template keeps its own
fallback with `{% if ref %}…{% else %}…{% endif %}`. The browser picks the first format it decodes and, from
`sizes`, the narrowest width that fills the slot at the screen's pixel density: a 390 px phone loads a 320 or
640 px AVIF of a few KiB. `width`/`height` (of the fallback) keep the layout still while images arrive;
`loading=lazy` leaves images below the fold until the reader scrolls near them (`eager=True` for the one photo
at the top of a page). `max_width` leaves the larger variants out of the srcset, which keeps a grid of
thumbnails from costing the page more bytes than it needs.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from xinren.catalog.images import PHOTO_FORMATS, PhotoRef, photo_for
from xinren.catalog.images import product_photo as catalog_product_photo
from xinren.catalog.models import ProductImage
from xinren.core.origin import public_url

register = template.Library()

_MIME = {"avif": "image/avif", "webp": "image/webp"}


@register.simple_tag
def picture(ref: PhotoRef | None, *, alt: str = "", sizes: str = "100vw", max_width: int = 1280,
            src_width: int = 640, css_class: str = "", eager: bool = False) -> SafeString:
    """The `<picture>` element of a photo, or nothing without one."""
    if not ref:
        return mark_safe("")
    photo = photo_for(ref, src_width=min(src_width, max_width), max_width=max_width)
    sources = [format_html('<source type="{}" srcset="{}" sizes="{}">', _MIME[ext], photo[ext], sizes)  # type: ignore[literal-required]
               for ext, _fmt, _options in PHOTO_FORMATS if ext in _MIME]
    image = format_html(
        '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"{}{} decoding="async">',
        photo["src"], photo["jpg"], sizes, photo["width"], photo["height"], alt,
        format_html(' class="{}"', css_class) if css_class else "",
        mark_safe("") if eager else mark_safe(' loading="lazy"'),
    )
    return format_html("<picture>{}{}</picture>", mark_safe("".join(sources)), image)


@register.filter
def product_photo(image: ProductImage | str | None) -> PhotoRef | None:
    """`{% picture image|product_photo … %}`: a product photo's reference (None before its variants exist, and
    for no photo: `|first` of no images gives "")."""
    return catalog_product_photo(image) if isinstance(image, ProductImage) else None


@register.simple_tag
def photo_url(ref: PhotoRef | None, width: int = 640) -> str:
    """The absolute URL of a photo's JPEG variant up to `width` wide, for og:image and twitter:image: link
    previews (WeChat, Weibo, messengers) fetch JPEG reliably, AVIF and WebP not always. On the public origin
    (core/origin.py, ADR 0019), on pages Django serves as on published ones: never the host a request named."""
    if not ref:
        return ""
    url = photo_for(ref, src_width=width)["src"]
    if not url.startswith("/"):
        return url  # object storage gives absolute URLs already
    return public_url(url)


@register.simple_tag(name="public_url")
def public_url_tag(path: str) -> str:
    """`{% public_url request.path as url %}`: a path of this platform as an absolute URL on the public origin."""
    return public_url(path)
