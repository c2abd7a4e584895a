"""Who may do what: the app's access policy, apart from Gradio.

Two modes, decided live from the database on every call (so a user created while the
app runs takes effect at once):

- local: no users exist and the app listens on a loopback address only. Whoever reaches
  it is the one person at this computer: no login, every admin action allowed, recorded
  as ``LOCAL_USER``; writers' revisions are recorded without a user.
- login: users exist. Everyone logs in (Gradio's ``launch(auth=access.authenticate)``);
  the logged-in name is checked against the database; only admins do admin actions.

With no users and a non-loopback bind nobody is anybody: ``app.py`` refuses that bind,
and this policy refuses everything in case it is ever reached.
"""

import logging

from services.errors import PermissionDenied
from storage.users import MAX_PASSWORD_CHARS, UserStore

logger = logging.getLogger(__name__)

LOCAL_USER = "local"
ADMINS_ONLY = "admins only: log in as an admin"
NO_USERS_OPEN = (
    "this server is reachable from the network but has no users: "
    "create an admin with `python -m storage.users add NAME --admin`"
)


class Access:
    """The access policy over one user database.

    Args:
        users: the accounts.
        loopback: whether the app listens on a loopback address only (127.0.0.1, ::1).
    """

    LOCAL_USER = LOCAL_USER

    def __init__(self, users: UserStore, *, loopback: bool) -> None:
        self.users = users
        self.loopback = bool(loopback)

    def login_required(self) -> bool:
        """Whether anyone must log in: users exist in the database (checked now)."""
        return self.users.has_users()

    def _local(self) -> bool:
        return self.loopback and not self.login_required()

    def authenticate(self, name: str, password: str) -> bool:
        """Gradio's ``auth`` callable: whether this name and password belong to a user.
        Bad input (not strings, an absurdly long password) is False, never an error."""
        if not isinstance(name, str) or not isinstance(password, str):
            return False
        if not name.strip() or len(password) > MAX_PASSWORD_CHARS:
            return False
        return self.users.authenticate(name, password) is not None

    def identity(self, username: str | None) -> str | None:
        """The name to record a writer's revisions under.

        Returns:
            The user's name; None in local mode.

        Raises:
            PermissionDenied: login is required and ``username`` is None or no user; or
                the app is open to the network without users.
        """
        if not self.login_required():
            if self.loopback:
                return None
            raise PermissionDenied(NO_USERS_OPEN)
        if not isinstance(username, str) or not username:
            raise PermissionDenied("please log in first")
        user = self.users.get_user(username)
        if user is None:
            raise PermissionDenied(f"unknown user {username!r}: log in again")
        return user.name

    def is_admin(self, username: str | None) -> bool:
        """Whether ``username`` may do admin actions (True for everyone in local mode).
        Never raises: on a database error the answer is False (and it is logged)."""
        try:
            if self._local():
                return True
            return isinstance(username, str) and self.users.is_admin(username)
        except Exception:  # deciding whether to show the Admin tab must not break a page
            logger.warning("could not check whether %r is an admin", username, exc_info=True)
            return False

    def require_admin(self, username: str | None) -> str:
        """Check an admin action is allowed.

        Returns:
            The name to record it under (``LOCAL_USER`` in local mode).

        Raises:
            PermissionDenied: the caller is not an admin (or not logged in).
        """
        if not self.login_required():
            if self.loopback:
                return LOCAL_USER
            raise PermissionDenied(NO_USERS_OPEN)
        if not isinstance(username, str) or not self.users.is_admin(username):
            raise PermissionDenied(ADMINS_ONLY)
        return username
