"""Replay routes, included by troubleshooter/urls.py (names live in the "troubleshooter" namespace)."""

from django.urls import path

from troubleshooter import views_replay

urlpatterns = [
    path("replay/", views_replay.replay, name="replay"),
    path("replay/history/", views_replay.replay_history, name="replay-history"),
    path("replay/<uuid:pk>/", views_replay.replay_detail, name="replay-detail"),
    path("replay/<uuid:pk>/suggest/", views_replay.replay_suggest, name="replay-suggest"),
]
