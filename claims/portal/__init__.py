"""The customer portal: sign-in by link, orders, filing and following claims (issue 4)."""
