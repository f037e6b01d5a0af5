"""Log in: Django's own views behind the one log-in throttle (kb/throttle.py), for the site and the admin alike."""

from django.contrib import admin
from django.contrib.auth.views import LoginView

from kb.throttle import throttled

login_view = throttled(LoginView.as_view())
admin_login_view = throttled(admin.site.login)
