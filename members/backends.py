"""Authentication backend: the stock model backend, but the user of every request is
loaded with its ``Member`` row in the same query.

Every page asks who the user is (``permissions.is_member`` in the navbar, ``member_of`` in
member views); with the stock backend that is a second query on every request.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class PortalBackend(ModelBackend):
    def get_user(self, user_id):
        User = get_user_model()
        try:
            user = User._default_manager.select_related("member").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
