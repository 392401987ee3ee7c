"""The shop in the loop: the orders and claims JSON API (``/api/v1/``) and the signed webhooks out."""
