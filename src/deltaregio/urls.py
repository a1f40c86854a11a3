from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("deltaregio.finance.api_urls")),
    path("api/v1/", include("deltaregio.funnel.api_urls")),
    path("api/v1/", include("deltaregio.vouchers.api_urls")),
    path("api/v1/", include("deltaregio.imports.api_urls")),
    path("api/v1/", include("deltaregio.calls.api_urls")),
    path("api/v1/", include("deltaregio.monitoring.api_urls")),
    path("api/v1/", include("deltaregio.api.urls")),
    path("admin/", admin.site.urls),
    path("", include("deltaregio.ops.urls")),
]
urlpatterns += i18n_patterns(
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("deltaregio.finance.urls")),
    path("", include("deltaregio.funnel.urls")),
    path("", include("deltaregio.vouchers.urls")),
    path("", include("deltaregio.imports.urls")),
    path("", include("deltaregio.calls.urls")),
    path("", include("deltaregio.monitoring.urls")),
    path("", include("deltaregio.web.urls")),
    prefix_default_language=False,
)
