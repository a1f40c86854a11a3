"""The production settings plus the benchmark's reference view (bench.urls)."""

from deltaregio.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
