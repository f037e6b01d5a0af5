from django.urls import path

from troubleshooter import views

app_name = "troubleshooter"
urlpatterns = [
    path("troubleshoot/", views.wizard_start, name="wizard"),
    path("troubleshoot/<slug:slug>/", views.wizard_step, name="wizard-step"),
    path("troubleshoot/<slug:slug>/feedback/", views.wizard_feedback, name="wizard-feedback"),
    path("insights/", views.insights, name="insights"),
]
# The replay feature adds its routes here with one line: urlpatterns += urls_replay.urlpatterns
from troubleshooter import urls_replay  # noqa: E402

urlpatterns += urls_replay.urlpatterns
