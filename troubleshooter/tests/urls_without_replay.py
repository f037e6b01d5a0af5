"""The site's URLs without the replay routes, to test what the wizard shows when the replay feature is absent."""

from django.urls import include, path

import troubleshooter.urls
from config.urls import urlpatterns as site_urls
from troubleshooter import urls_replay

REPLAY_NAMES = {p.name for p in urls_replay.urlpatterns}

urlpatterns = [
    path(
        "",
        include(
            (
                [p for p in troubleshooter.urls.urlpatterns if getattr(p, "name", None) not in REPLAY_NAMES],
                "troubleshooter",
            )
        ),
    ),
    *[p for p in site_urls if getattr(p, "namespace", None) != "troubleshooter"],
]
