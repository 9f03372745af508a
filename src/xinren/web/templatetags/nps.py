"""The NPS question on the consumer's request page (shop/aftersales/_nps.html), read where it is drawn so that the
request page's view stays as it is."""

from __future__ import annotations

from django import template

from xinren.aftersales.models import AfterSaleRequest
from xinren.aftersales.nps_selectors import NpsQuestion, consumer_nps_question

register = template.Library()


@register.simple_tag
def nps_question(request: AfterSaleRequest) -> NpsQuestion:
    """The question's state for a request the view already scoped to its consumer."""
    return consumer_nps_question(request=request)
