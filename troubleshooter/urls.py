from django.urls import path

from troubleshooter import views

app_name = "troubleshooter"
urlpatterns = [
    path("troubleshoot/", views.wizard_start, name="wizard"),
    path("troubleshoot/<slug:slug>/", views.wizard_step, name="wizard-step"),
    path("troubleshoot/<slug:slug>/feedback/", views.wizard_feedback, name="wizard-feedback"),
    path("troubleshoot/<slug:slug>/ticket/", views.wizard_ticket_text, name="wizard-ticket"),
]
