"""The 联系商家 pages: the consumer's button, list and thread; the merchant's inbox and thread. Escaped, masked,
scoped: another consumer or merchant gets a 404."""

from __future__ import annotations

import pytest

from xinren.accounts.choices import Role
from xinren.support import services
from xinren.support.models import Conversation, Message
from xinren.support.selectors import consumer_alias

from ..factories import actor_for
from ..fixtures.accounts import browser_of

pytestmark = pytest.mark.django_db
SCRIPT = '<script>alert("x")</script> 看 https://evil.example'


def test_the_order_and_product_pages_offer_to_contact_the_merchant(consumer, order, on_sale):
    browser = browser_of(consumer)
    order_page = browser.get(f"/shop/orders/{order.number}/").content.decode()
    product_page = browser.get(f"/shop/products/{on_sale.pk}/").content.decode()
    assert f'href="/shop/support/new/?order={order.number}"' in order_page
    assert f'href="/shop/support/new/?product={on_sale.pk}"' in product_page
    assert "联系商家" in order_page and "联系商家" in product_page


def test_a_consumer_writes_from_the_order_page_and_sees_the_thread(consumer, order):
    # given
    browser = browser_of(consumer)
    # when
    form = browser.get(f"/shop/support/new/?order={order.number}")
    posted = browser.post(f"/shop/support/new/?order={order.number}", {"body": SCRIPT})
    # then
    conversation = Conversation.objects.get()
    assert form.status_code == 200 and "昆明山野菌菇店" in form.content.decode()
    assert posted.status_code == 302
    assert posted["Location"] == f"/shop/support/{conversation.pk}/#latest"
    html = browser.get(f"/shop/support/{conversation.pk}/").content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; 看 https://evil.example" in html
    assert "<script>alert" not in html and 'href="https://evil.example' not in html
    # the start link now leads to the thread
    again = browser.get(f"/shop/support/new/?order={order.number}")
    assert again.status_code == 302 and again["Location"] == f"/shop/support/{conversation.pk}/#latest"


def test_a_product_neither_bought_nor_on_sale_shows_the_refusal_before_the_form(consumer, not_on_sale):
    response = browser_of(consumer).get(f"/shop/support/new/?product={not_on_sale.pk}")
    assert response.status_code == 403
    assert "你没有在该商家购买过这件商品" in response.content.decode()
    refused = browser_of(consumer).post(f"/shop/support/new/?product={not_on_sale.pk}", {"body": "还有吗"})
    assert refused.status_code == 403
    assert Message.objects.count() == 0


def test_a_flood_gets_the_chinese_error_in_the_form(consumer, order, settings):
    settings.XINREN_SUPPORT_LIMITS = {"per_conversation": 1}
    message = services.conversation_start(consumer=consumer, order_number=order.number, body="第一条")
    response = browser_of(consumer).post(f"/shop/support/{message.conversation_id}/", {"body": "第二条"})
    assert response.status_code == 429
    assert "这个会话今天的消息已达上限（1 条）" in response.content.decode()
    assert Message.objects.count() == 1


def test_another_consumer_gets_a_404(consumer, other_consumer, order):
    message = services.conversation_start(consumer=consumer, order_number=order.number, body="你好")
    browser = browser_of(other_consumer)
    assert browser.get(f"/shop/support/{message.conversation_id}/").status_code == 404
    assert browser.post(f"/shop/support/{message.conversation_id}/", {"body": "插话"}).status_code == 404
    assert browser.get(f"/shop/support/new/?order={order.number}").status_code == 404
    assert Message.objects.count() == 1


def test_the_merchant_sees_a_pseudonym_answers_and_the_consumer_sees_the_answer(consumer, order, merchant_actor):
    # given
    message = services.conversation_start(consumer=consumer, order_number=order.number, body=SCRIPT)
    console = browser_of(merchant_actor.user)
    # when
    inbox = console.get("/merchant/support/").content.decode()
    thread = console.get(f"/merchant/support/{message.conversation_id}/").content.decode()
    replied = console.post(f"/merchant/support/{message.conversation_id}/", {"body": "今天发货"})
    # then
    alias = consumer_alias(consumer.pk)
    assert alias in inbox and alias in thread
    assert "13812341234" not in inbox + thread and "138****1234" not in inbox + thread
    assert "近 30 天首次响应" in inbox and "1 个待回复" in inbox
    assert "&lt;script&gt;" in thread and "<script>alert" not in thread
    assert replied.status_code == 302
    consumer_page = browser_of(consumer).get(f"/shop/support/{message.conversation_id}/").content.decode()
    assert "今天发货" in consumer_page


def test_another_merchant_gets_a_404_and_a_viewer_cannot_reply(consumer, order, other_actor, merchant):
    message = services.conversation_start(consumer=consumer, order_number=order.number, body="你好")
    other = browser_of(other_actor.user)
    assert other.get(f"/merchant/support/{message.conversation_id}/").status_code == 404
    assert other.post(f"/merchant/support/{message.conversation_id}/", {"body": "抢答"}).status_code == 404
    assert "你好" not in other.get("/merchant/support/").content.decode()
    viewer = browser_of(actor_for(merchant, Role.VIEWER).user)
    page = viewer.get(f"/merchant/support/{message.conversation_id}/")
    assert page.status_code == 200 and "你的角色只能查看" in page.content.decode()
    assert viewer.post(f"/merchant/support/{message.conversation_id}/", {"body": "收到"}).status_code == 403
    assert Message.objects.count() == 1
