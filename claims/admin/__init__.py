"""The back office. Each module registers its own models and pages with the admin site."""

from claims.admin import claims, notifications, orders, third_party, users

__all__ = ["claims", "notifications", "orders", "third_party", "users"]
