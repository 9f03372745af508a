"""Consumer shopping pages, mounted at /shop/."""

from django.urls import URLPattern, URLResolver, path

from .views import (
    account,
    cart,
    catalog,
    merchants,
    notifications,
    orders,
    product_reviews,
    profile,
    purchased,
    reviews,
    sandbox,
)

app_name = "shop"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", catalog.product_list, name="product_list"),
    path("products/<int:product_id>/", catalog.product_detail, name="product_detail"),
    path("merchants/<slug:slug>/", merchants.merchant_page, name="merchant"),
    path("products/<int:product_id>/cart/", cart.cart_add, name="cart_add"),
    path("cart/", cart.cart, name="cart"),
    path("cart/lines/<int:line_id>/", cart.cart_line_update, name="cart_line_update"),
    path("checkout/", cart.checkout, name="checkout"),
    path("pay/<slug:reference>/", cart.group_detail, name="group_detail"),
    path("pay/<slug:reference>/start/", cart.group_pay, name="group_pay"),
    path("pay/<slug:reference>/return/", cart.group_return, name="group_return"),
    path("addresses/", cart.address_list, name="address_list"),
    path("addresses/<int:address_id>/", cart.address_edit, name="address_edit"),
    path("addresses/<int:address_id>/delete/", cart.address_delete, name="address_delete"),
    path("addresses/<int:address_id>/default/", cart.address_default, name="address_default"),
    path("products/<int:product_id>/reviews/", product_reviews.review_browse, name="product_reviews"),
    path("me/nickname/", profile.nickname, name="nickname"),
    path("signup/", account.signup, name="signup"),
    path("signup/confirm/", account.signup_confirm, name="signup_confirm"),
    path("signin/", account.signin, name="signin"),
    path("signin/code/", account.signin_code, name="signin_code"),
    path("signin/code/verify/", account.signin_code_verify, name="signin_code_verify"),
    path("password/reset/", account.password_reset, name="password_reset"),
    path("password/reset/confirm/", account.password_reset_confirm, name="password_reset_confirm"),
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
    path("notifications/", notifications.notification_list, name="notification_list"),
    path("notifications/read/", notifications.notifications_read, name="notifications_read"),
    path("notifications/settings/", notifications.notification_settings, name="notification_settings"),
    path("notifications/<int:notification_id>/", notifications.notification_open, name="notification_open"),
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

# 申请售后: after-sale requests and guarantee claims (xinren.aftersales).
from .views import aftersales, aftersales_returns  # noqa: E402

urlpatterns += [
    path("aftersales/", aftersales.aftersale_list, name="aftersale_list"),
    path("orders/<slug:number>/aftersales/new/", aftersales.aftersale_new, name="aftersale_new"),
    path("aftersales/<slug:reference>/", aftersales.aftersale_detail, name="aftersale_detail"),
    path("aftersales/<slug:reference>/cancel/", aftersales.aftersale_cancel, name="aftersale_cancel"),
    path("aftersales/<slug:reference>/escalate/", aftersales.aftersale_escalate, name="aftersale_escalate"),
    path("aftersales/<slug:reference>/proposal/", aftersales.aftersale_proposal, name="aftersale_proposal"),
    path("aftersales/<slug:reference>/return/", aftersales.aftersale_return, name="aftersale_return"),
    path("aftersales/<slug:reference>/pickup/", aftersales_returns.pickup_book, name="aftersale_pickup_book"),
    path(
        "aftersales/<slug:reference>/pickup/cancel/", aftersales_returns.pickup_cancel, name="aftersale_pickup_cancel"
    ),
    path("aftersales/<slug:reference>/evidence/", aftersales_returns.evidence_add, name="aftersale_evidence"),
]

# NPS after a closed after-sale request (xinren.aftersales.nps).
from .views import nps  # noqa: E402

urlpatterns += [path("aftersales/<slug:reference>/nps/", nps.aftersale_nps, name="aftersale_nps")]
