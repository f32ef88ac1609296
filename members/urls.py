from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("me/", views.member_home, name="member-home"),
    # Member pages (phone first): my roster; a constituent's page is shared with staff.
    path("me/constituents/", views.constituent_mine, name="my-constituents"),
    path("me/constituents/new/", views.constituent_create, name="constituent-create"),
    path("constituents/<int:pk>/", views.constituent_detail, name="constituent-detail"),
    path("constituents/<int:pk>/edit/", views.constituent_edit, name="constituent-edit"),
    path("staff/", views.staff_home, name="staff-home"),
    # Staff pages (desktop): lists, coverage, Excel import and export.
    path("staff/members/", views.member_list, name="member-list"),
    path("staff/members/<int:pk>/", views.member_detail, name="member-detail"),
    path("staff/members/export/", views.member_export, name="member-export"),
    path("staff/members/import/", views.member_import, name="member-import"),
    path("staff/members/import/template/", views.member_import_template, name="member-import-template"),
    path("staff/platforms/", views.platform_list, name="platform-list"),
    path("staff/platforms/<int:pk>/", views.platform_detail, name="platform-detail"),
    path("staff/constituents/", views.constituent_list, name="constituent-list"),
    path("staff/constituents/export/", views.constituent_export, name="constituent-export"),
    path("staff/constituents/import/", views.constituent_import, name="constituent-import"),
    path(
        "staff/constituents/import/template/",
        views.constituent_import_template,
        name="constituent-import-template",
    ),
    path("staff/coverage/", views.coverage, name="coverage"),
    # Separated duties (三权分立): the audit admin's audit, the security admin's accounts.
    path("audit/", views.audit_list, name="audit-list"),
    path("audit/export/", views.audit_export, name="audit-export"),
    path("security/", views.security_home, name="security-home"),
    path("security/lockouts/lift/", views.lockout_lift, name="lockout-lift"),
    path("security/accounts/<int:pk>/otp-reset/", views.otp_reset, name="otp-reset"),
    path("security/accounts/<int:pk>/active/", views.account_active, name="account-active"),
    # The pickers' search-as-you-type JSON (any login; each sees only what it may).
    path("lookup/members/", views.member_lookup, name="member-lookup"),
    path("lookup/constituents/", views.constituent_lookup, name="constituent-lookup"),
]
