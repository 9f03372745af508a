"""Consumer shopping pages, mounted at /shop/."""

from django.urls import URLPattern, URLResolver, path

from .views import account, catalog, orders, sandbox

app_name = "shop"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", catalog.product_list, name="product_list"),
    path("products/<int:product_id>/", catalog.product_detail, name="product_detail"),
    path("signup/", account.signup, name="signup"),
    path("signin/", account.signin, name="signin"),
    path("signout/", account.signout, name="signout"),
    path("orders/", orders.order_list, name="order_list"),
    path("orders/<slug:number>/", orders.order_detail, name="order_detail"),
    path("orders/<slug:number>/pay/", orders.order_pay, name="order_pay"),
    path("orders/<slug:number>/return/", orders.order_return, name="order_return"),
    path("orders/<slug:number>/cancel/", orders.order_cancel, name="order_cancel"),
    path("orders/<slug:number>/confirm/", orders.order_confirm, name="order_confirm"),
    # The sandbox payment provider's hosted page (orders.payments.sandbox.CHECKOUT_PATH).
    path("sandbox/pay/<slug:ref>/", sandbox.checkout, name="sandbox_checkout"),
]
