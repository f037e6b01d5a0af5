from django.urls import path

from kb import views

app_name = "kb"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("errors/", views.entry_list, name="entry-list"),
    path("errors/<str:code>/", views.entry_detail, name="entry-detail"),
    path("commands/", views.command_list, name="command-list"),
    path("commands/<str:service>/<str:code>/", views.command_detail, name="command-detail"),
    path("api/errors/", views.api_entry_list, name="api-entry-list"),
    path("api/errors/<str:code>/", views.api_entry_detail, name="api-entry-detail"),
]
