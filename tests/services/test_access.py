"""The access policy: local mode without users on loopback, login with users, admins only
for admin actions; decided live from a temporary SQLite database."""

import pytest

from services.access import LOCAL_USER, Access
from services.errors import PermissionDenied
from storage.store import Store
from storage.users import UserStore

PASSWORD = "correct horse battery"


@pytest.fixture
def users(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'itune.db'}")
    yield UserStore(store.engine)
    store.close()


@pytest.fixture
def with_users(users):
    users.create_user("ada", PASSWORD, is_admin=True)
    users.create_user("bob", PASSWORD)
    return users


def test_local_mode_needs_no_login_and_makes_everyone_admin(users):
    access = Access(users, loopback=True)
    assert not access.login_required()
    assert access.identity(None) is None
    assert access.is_admin(None)
    assert access.require_admin(None) == LOCAL_USER == Access.LOCAL_USER


def test_no_users_on_a_network_bind_allows_nobody(users):
    access = Access(users, loopback=False)
    assert not access.is_admin(None)
    with pytest.raises(PermissionDenied, match="no users"):
        access.require_admin(None)
    with pytest.raises(PermissionDenied, match="no users"):
        access.identity(None)


def test_login_is_required_as_soon_as_a_user_exists(users):
    access = Access(users, loopback=True)
    assert not access.login_required()
    users.create_user("bob", PASSWORD)
    assert access.login_required()
    assert not access.is_admin(None)
    with pytest.raises(PermissionDenied, match="log in"):
        access.identity(None)


def test_authenticate_accepts_only_the_right_password(with_users):
    access = Access(with_users, loopback=True)
    assert access.authenticate("ada", PASSWORD)
    assert not access.authenticate("ada", PASSWORD + "x")
    assert not access.authenticate("nobody", PASSWORD)


@pytest.mark.parametrize(
    ("name", "password"),
    [(None, PASSWORD), ("ada", None), (3, PASSWORD), ("", ""), ("ada", "x" * 5000)],
)
def test_authenticate_says_false_to_bad_input(with_users, name, password):
    assert Access(with_users, loopback=False).authenticate(name, password) is False


def test_identity_is_the_logged_in_user(with_users):
    assert Access(with_users, loopback=False).identity("bob") == "bob"


@pytest.mark.parametrize("username", [None, "", "mallory"])
def test_identity_refuses_a_missing_or_unknown_user(with_users, username):
    with pytest.raises(PermissionDenied):
        Access(with_users, loopback=True).identity(username)


def test_require_admin_returns_the_admin_name(with_users):
    assert Access(with_users, loopback=False).require_admin("ada") == "ada"


@pytest.mark.parametrize("username", ["bob", None, "mallory", ""])
def test_require_admin_refuses_everyone_else(with_users, username):
    with pytest.raises(PermissionDenied, match="admins only: log in as an admin"):
        Access(with_users, loopback=True).require_admin(username)


@pytest.mark.parametrize(
    ("username", "expected"), [("ada", True), ("bob", False), (None, False), (7, False)]
)
def test_is_admin_with_users(with_users, username, expected):
    assert Access(with_users, loopback=True).is_admin(username) is expected


def test_is_admin_is_false_when_the_database_fails(with_users):
    class Failing(UserStore):
        def has_users(self) -> bool:
            raise RuntimeError("database is gone")

    assert Access(Failing(with_users.engine), loopback=True).is_admin("ada") is False
