from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("troubleshooter.urls")),
    path("", include("kb.urls")),
]

handler404 = "kb.views.not_found"
handler500 = "kb.views.server_error"
