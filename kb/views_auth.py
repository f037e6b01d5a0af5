"""Log in with failed attempts throttled per user name and address, in the database (shared by all processes)."""

from django.conf import settings
from django.contrib.auth.views import LoginView
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from kb import ratelimit


def _throttle_key(request):
    username = (request.POST.get("username") or "").strip().lower()[:150]
    return f"login:{request.META.get('REMOTE_ADDR', '-')}:{username}"


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class ThrottledLoginView(LoginView):
    def post(self, request, *args, **kwargs):
        window = settings.LOGIN_FAILURE_WINDOW
        if ratelimit.peek(_throttle_key(request), window=window) >= settings.LOGIN_FAILURE_LIMIT:
            response = render(
                request,
                "registration/login_throttled.html",
                {"minutes": max(1, window // 60)},
                status=429,
            )
            response["Retry-After"] = str(window)
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        ratelimit.hit(
            _throttle_key(self.request), limit=settings.LOGIN_FAILURE_LIMIT, window=settings.LOGIN_FAILURE_WINDOW
        )
        return super().form_invalid(form)


login_view = ThrottledLoginView.as_view()
