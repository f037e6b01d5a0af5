from django.contrib import admin
from django.urls import include, path

from kb.views_auth import login_view

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", login_view, name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("troubleshooter.urls")),
    path("", include("kb.urls")),
]

handler404 = "kb.views.not_found"
handler500 = "kb.views.server_error"
