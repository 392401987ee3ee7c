"""Who may do what, as ``user.has_perm`` names (the roles: claims/migrations/0003).

The services check these themselves; the admin checks them too, to show only what a role may do."""

VIEW_CLAIM = "claims.view_claim"
FILE_CLAIM = "claims.add_claim"
REVIEW = "claims.review_claim"
DECIDE_OUTCOME = "claims.decide_outcome"
RECEIVE = "claims.receive_claim"
INSPECT = "claims.inspect_claim"
VIEW_DASHBOARD = "claims.view_dashboard"
