"""The platform's URLs plus /bench/minimal/: the smallest Django view, through the same middleware and
server — the framework's ceiling the page benchmark compares against."""

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from deltaregio.urls import urlpatterns as platform


def minimal(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns: list[URLPattern | URLResolver] = [path("bench/minimal/", minimal), *platform]
