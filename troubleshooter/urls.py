from django.urls import include, path

app_name = "troubleshooter"
urlpatterns = [
    # --- replay (issue 5) ---
    path("", include("troubleshooter.urls_replay")),
]
