"""URL map. Each interface keeps its own routes; the GS1 Digital Link paths (public) come last."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from xinren.web import signin

# Every password sign-in goes through the sign-in limits (ADR 0016): the admin's form and Django's login view.
admin.site.login_form = signin.GuardedAdminAuthenticationForm

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/login/", signin.admin_login),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", signin.staff_login),
    path("accounts/unlock/<str:token>/", signin.unlock, name="signin_unlock"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include("xinren.api.urls")),
    path("log/", include("xinren.ledger.store.urls")),
    path("merchant/", include("xinren.web.merchant.urls")),
    path("operator/", include("xinren.web.operator.urls")),
    path("shop/", include("xinren.web.shop.urls")),
    path("community/", include("xinren.web.community.urls")),
    path("badges/", include("xinren.web.badges.urls")),
    path("care/", include("xinren.web.care.urls")),
    path("", include("xinren.web.public.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
