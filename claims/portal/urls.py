from django.urls import path

from claims.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/sent/", views.sign_in_sent, name="sign_in_sent"),
    path("sign-in/link/", views.sign_in_link, name="sign_in_link"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("policy/", views.policy, name="policy"),
    path("orders/", views.orders, name="orders"),
    path("orders/lines/<int:line_id>/return/", views.file_return, name="file_return"),
    path("orders/lines/<int:line_id>/warranty/", views.file_warranty, name="file_warranty"),
    path("claims/<str:rma_number>/", views.claim_detail, name="claim_detail"),
    path("claims/<str:rma_number>/slip-<slug:size>.pdf", views.claim_slip, name="claim_slip"),
    path("claims/<str:rma_number>/shipped/", views.claim_mark_shipped, name="mark_shipped"),
    path("claims/<str:rma_number>/answer/", views.claim_answer, name="answer"),
    path("claims/<str:rma_number>/cancel/", views.claim_cancel, name="cancel"),
]
