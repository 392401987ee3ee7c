"""The portal's settings, with the bare view the load benchmark compares each page with."""

from asm_portal.settings import *  # noqa: F403 - the portal's settings, unchanged but for the URLs

ROOT_URLCONF = "benchmarks.urls"
