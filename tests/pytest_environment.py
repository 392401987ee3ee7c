"""Loaded by pytest before Django's settings (``-p`` in pyproject): test defaults, overridable.

``python -m pytest`` must work with no environment set, so the development
defaults for the secret key and hosts are switched on here. Tasks published on
commit go to kombu's in-process broker and counters to a per-process cache, so
that no test waits on, or leaves messages in, a Redis it did not ask for; the
tests that prove something of Redis point the app at ``REDIS_URL`` themselves.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asm_portal.settings")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")
os.environ.setdefault("CACHE_URL", "locmemcache://")
# The suite reads its pages and emails in English unless a test asks for a language
# (tests/test_languages.py proves the Vietnamese default and both translations).
os.environ.setdefault("ASM_LANGUAGE_CODE", "en")
