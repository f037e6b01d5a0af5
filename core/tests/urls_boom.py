"""URLs for core/tests/test_log_redaction.py: the app's own, plus a view that fails with the request in its message."""

from django.urls import path

from config.urls import urlpatterns as app_urlpatterns


def boom(request):
    raise ValueError(f"could not handle {request.get_full_path()} with PW={request.GET.get('PW')}")


urlpatterns = [path("boom/", boom), *app_urlpatterns]
handler404 = "core.views.not_found"
handler500 = "core.views.server_error"
urlpatterns.insert(1, path("api/boom/", boom))
