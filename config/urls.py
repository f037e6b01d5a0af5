from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from core.views import admin_login_view, healthz, login_view

urlpatterns = [
    # First: the search (see kb/urls.py). No pattern of kb overlaps another app's or the admin's.
    path("", include("kb.urls")),
    path("healthz", healthz, name="healthz"),
    path("admin/login/", admin_login_view),  # the admin's own log-in view, behind the one log-in throttle
    path("admin/", admin.site.urls),
    path("accounts/login/", login_view, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("", include("troubleshooter.urls")),
    path("", include("replay.urls")),
]

handler404 = "core.views.not_found"
handler500 = "core.views.server_error"
