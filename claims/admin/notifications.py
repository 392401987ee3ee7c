"""The email outbox in the admin (the background-work issue builds this out)."""
