from django.urls import path

from replay import views

app_name = "replay"
urlpatterns = [
    path("replay/", views.replay, name="replay"),
    path("replay/history/", views.replay_history, name="history"),
    path("replay/parameters/", views.replay_parameters, name="parameters"),
    path("replay/<uuid:pk>/", views.replay_detail, name="detail"),
    path("replay/<uuid:pk>/suggest/", views.replay_suggest, name="suggest"),
    path("replay/<uuid:pk>/ticket/", views.replay_record_ticket, name="ticket"),
    path("replay/<uuid:pk>/escalation/", views.replay_escalation, name="escalation"),
]
