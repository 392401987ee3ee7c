"""Loaded by pytest before Django's settings (``-p`` in pyproject): test defaults, overridable.

``python -m pytest`` must work with no environment set, so the development
defaults for the secret key and hosts are switched on here.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asm_portal.settings")
