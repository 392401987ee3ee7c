# The Redis client is imported here, by the one thread that starts the project: the development
# server's autoreloader imports the URLconf in its own thread while the system checks build the
# cache in another, and the client's package, half imported by one, breaks the other (a circular
# import under that race: ``make run`` served nothing).
import redis  # noqa: F401

from asm_portal.celery import app as celery_app

__all__ = ("celery_app",)
