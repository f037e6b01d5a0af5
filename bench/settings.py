"""Settings for `make bench` only: the project's settings plus a bare view to compare the search fragment with.

config/ stays untouched; the benchmark points DJANGO_SETTINGS_MODULE here.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
