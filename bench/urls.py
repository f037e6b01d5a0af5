"""The project's URLs plus /bench/bare/: a Django view that does nothing, the yardstick for the search fragment."""

from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_safe


@require_safe
def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare),
    path("", include("config.urls")),
]

handler404 = "kb.views.not_found"
handler500 = "kb.views.server_error"
