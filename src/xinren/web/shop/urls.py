"""Consumer shopping pages, mounted at /shop/."""

from django.urls import URLPattern, URLResolver, path

from .views import account, catalog, orders, purchased, reviews, sandbox

app_name = "shop"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", catalog.product_list, name="product_list"),
    path("products/<int:product_id>/", catalog.product_detail, name="product_detail"),
    path("signup/", account.signup, name="signup"),
    path("signup/confirm/", account.signup_confirm, name="signup_confirm"),
    path("signin/", account.signin, name="signin"),
    path("signout/", account.signout, name="signout"),
    path("orders/", orders.order_list, name="order_list"),
    path("orders/<slug:number>/", orders.order_detail, name="order_detail"),
    path("orders/<slug:number>/pay/", orders.order_pay, name="order_pay"),
    path("orders/<slug:number>/return/", orders.order_return, name="order_return"),
    path("orders/<slug:number>/cancel/", orders.order_cancel, name="order_cancel"),
    path("orders/<slug:number>/confirm/", orders.order_confirm, name="order_confirm"),
    path("lines/<int:line_id>/review/", reviews.review_create, name="review_create"),
    path("reviews/", reviews.review_list, name="review_list"),
    path("reviews/<int:review_id>/", reviews.review_detail, name="review_detail"),
    path("reviews/<int:review_id>/respond/", reviews.review_respond, name="review_respond"),
    path("reviews/<int:review_id>/diary/<int:milestone>/", reviews.diary_create, name="diary_create"),
    path("notifications/", reviews.notification_list, name="notification_list"),
    # Asked by the published item page's script: "is this the item you bought?" (public/_purchase.html).
    path("purchased", purchased.purchased, name="purchased"),
    # The sandbox payment provider's hosted page (orders.payments.sandbox.CHECKOUT_PATH).
    path("sandbox/pay/<slug:ref>/", sandbox.checkout, name="sandbox_checkout"),
]

# 联系商家: the consumer's conversations with merchants (xinren.support).
from .views import support  # noqa: E402

urlpatterns += [
    path("support/", support.support_list, name="support_list"),
    path("support/new/", support.support_start, name="support_start"),
    path("support/<int:conversation_id>/", support.support_thread, name="support_thread"),
    path("support/<int:conversation_id>/close/", support.support_close, name="support_close"),
]
