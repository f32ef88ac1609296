from django.urls import path

from proposals import views

app_name = "proposals"

urlpatterns = [
    # Members (phone first).
    path("mine/", views.my_list, name="my-list"),
    path("filed/", views.filed_list, name="filed-list"),
    path("new/", views.proposal_create, name="proposal-create"),
    path("<int:pk>/", views.proposal_detail, name="proposal-detail"),
    path("<int:pk>/print/", views.proposal_print, name="proposal-print"),
    path("<int:pk>/edit/", views.proposal_edit, name="proposal-edit"),
    path("<int:pk>/submit/", views.proposal_submit, name="proposal-submit"),
    path("<int:pk>/invite/", views.proposal_invite, name="proposal-invite"),
    path("lookup/cosigners/", views.cosigner_lookup, name="cosigner-lookup"),
    path("lookup/similar/", views.similar_lookup, name="similar-lookup"),
    path("<int:pk>/cosign/", views.cosign_respond, name="cosign-respond"),
    path("<int:pk>/rate/", views.proposal_rate, name="proposal-rate"),
    # Staff (desktop); leaders read the queues and the register.
    path("staff/", views.staff_queues, name="staff-queues"),
    path("staff/register/", views.register, name="register"),
    path("staff/register/export/", views.register_export, name="register-export"),
    path("staff/new/", views.staff_proposal_create, name="staff-proposal-create"),
    path("staff/lookup/units/", views.unit_lookup, name="unit-lookup"),
    path("<int:pk>/review/", views.proposal_review, name="proposal-review"),
    path("<int:pk>/file/", views.proposal_file, name="proposal-file"),
    path("<int:pk>/reject/", views.proposal_reject, name="proposal-reject"),
    path("<int:pk>/return/", views.proposal_return, name="proposal-return"),
    path("<int:pk>/assign/", views.proposal_assign, name="proposal-assign"),
    path("<int:pk>/deadline/", views.proposal_deadline, name="proposal-deadline"),
    path("<int:pk>/merge/", views.proposal_merge, name="proposal-merge"),
    path("<int:pk>/note/", views.proposal_note, name="proposal-note"),
    # Handling units.
    path("unit/", views.unit_list, name="unit-list"),
    path("<int:pk>/reply/", views.proposal_reply, name="proposal-reply"),
    path("<int:pk>/send-back/", views.proposal_send_back, name="proposal-send-back"),
]
