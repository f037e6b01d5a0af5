"""The app's URLs plus /bench/bare: the cheapest Django view, through the same middleware and server."""

from django.http import HttpResponse
from django.urls import include, path

from config.urls import handler404, handler500  # noqa: F401 - handlers must live in the root URLconf


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare", bare),
    path("", include("config.urls")),
]
