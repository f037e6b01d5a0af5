from django.urls import path

from replay import views

app_name = "replay"
urlpatterns = [
    path("replay/", views.replay, name="replay"),
    path("replay/history/", views.replay_history, name="history"),
    path("replay/<uuid:pk>/", views.replay_detail, name="detail"),
    path("replay/<uuid:pk>/suggest/", views.replay_suggest, name="suggest"),
]
