from django.templatetags.static import static


def test_favicon_ico_leads_to_the_portal_icon(anonymous, db):
    """Browsers ask for /favicon.ico on pages without an icon link (the Django admin): in
    production that was a 404 in the log and an error in the browser console."""
    response = anonymous.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("favicon.svg")
