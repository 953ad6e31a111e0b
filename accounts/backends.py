"""The password backend, reading the user's unit with the user.

Every page asks which unit the signed-in user serves (`accounts.scoping`): Django's
`ModelBackend.get_user` fetches the user alone, so that was a second query on every request. Here
the unit comes in the same query (issue 14). Authentication itself is Django's, unchanged.
"""

from typing import Any

from django.contrib.auth.backends import ModelBackend

from .models import User


class UnitModelBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        try:
            user = User._default_manager.select_related("unit").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
