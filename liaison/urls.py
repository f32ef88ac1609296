from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from liaison import pwa, views, views_dashboard
from liaison.health import PortalHealthView
from liaison.intake import urls as intake_urls
from members.security.forms import PortalAdminAuthenticationForm, PortalAuthenticationForm
from members.views import account

# The admin's login refuses the demo's published password too (members.security).
admin.site.login_form = PortalAdminAuthenticationForm

# Dashboards, duty records, duty points and reports (namespace "liaison").
dashboard_patterns = [
    path("", views_dashboard.dashboard, name="dashboard"),
    path("duty/me/", views_dashboard.my_duty_record, name="my-duty-record"),
    path("duty/<int:pk>/", views_dashboard.duty_record, name="duty-record"),
    path("points/", views_dashboard.points, name="points"),
    path("points/scheme/", views_dashboard.points_scheme, name="points-scheme"),
    path("report/", views_dashboard.report, name="report"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/", views.inbox_open, name="inbox-open"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=PortalAuthenticationForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", account.PortalPasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # Password reset by e-mail (Django's flow, limited per address and per IP).
    path("accounts/password/reset/", account.PortalPasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        account.PortalPasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # Two factors and the account page.
    path("accounts/security/", account.account_security, name="account-security"),
    path("accounts/otp/enrol/", account.otp_enrol, name="otp-enrol"),
    path("accounts/otp/verify/", account.otp_verify, name="otp-verify"),
    path("accounts/otp/recovery-codes/", account.recovery_codes, name="otp-recovery-codes"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("members/", include("members.urls")),
    path("proposals/", include("proposals.urls")),
    path("activities/", include("activities.urls")),
    path("opinions/", include("opinions.urls")),
    path("dashboard/", include((dashboard_patterns, "liaison"))),
    path("privacy/", include("liaison.urls_personal_data")),
    # The QR intake (namespace "intake"): the public page of each platform, and the queue.
    path("", include((intake_urls.urlpatterns, "intake"))),
    path("captcha/", include("captcha.urls")),
    path("admin/", admin.site.urls),
    path("health/", PortalHealthView.as_view(), name="health"),
    # The member app: its manifest, and its service worker at the root (its scope: every page).
    path("manifest.webmanifest", pwa.manifest, name="pwa-manifest"),
    path("sw.js", pwa.service_worker, name="pwa-worker"),
    # Browsers ask for /favicon.ico on pages that name no icon (the Django admin, a photo
    # opened on its own): the portal's icon instead of a 404 in the log and the console.
    # Lazy: the hashed name is read from the static manifest at the first request.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.svg"))),
    # Uploaded photos are served by the portal itself, to logged-in users only.
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", views.media, name="media"),
]
