"""A URLconf where the replay form exists, to test the wizard's replay button (the replay feature is separate)."""

from django.http import HttpResponse
from django.urls import include, path

import troubleshooter.urls
from config.urls import urlpatterns as site_urls


def replay_stand_in(request):
    return HttpResponse("replay form")


urlpatterns = [
    path(
        "",
        include(
            ([*troubleshooter.urls.urlpatterns, path("replay/", replay_stand_in, name="replay")], "troubleshooter")
        ),
    ),
    *[p for p in site_urls if getattr(p, "namespace", None) != "troubleshooter"],
]
