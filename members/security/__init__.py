"""Identity controls (身份鉴别, GB/T 22239-2019 8.1.4.1): password quality and history,
first-login and expired passwords, the login form, the lockout page (django-axes), two
factors (django-otp), session lifetimes and the password-reset limits.

Modules: ``passwords`` (validators, the history, who must change their password),
``forms`` (login, two-factor and reset forms), ``otp`` (devices, recovery codes, who needs a
second factor), ``sessions`` (what a login stamps on its session; one session per login),
``middleware`` (idle and absolute expiry, the second factor, the password policy),
``lockout`` (what a locked-out login sees), ``ratelimit`` (counters in the cache).
"""

# The demo's published password (README, `manage.py demo`): refused at login when DEBUG is
# off, whoever types it, so that no demo or shared account can be used on a real server.
DEMO_PASSWORD = "demo-1158"


def login_of(request):
    """The ``User`` behind ``request.user`` (Django and django-otp wrap it in a lazy
    object), or None when nobody is logged in: what ``members.audit.record`` is given."""
    user = request.user
    if not user.is_authenticated:  # evaluates the lazy object
        return None
    return getattr(user, "_wrapped", user)
