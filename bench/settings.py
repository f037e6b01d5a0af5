"""Settings for benchmarks: the production settings plus a bare view to measure the server's ceiling."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
