"""Accounts: scrypt hashes with their own salt, constant-time checks, the UserStore."""

import pytest

from storage.errors import InvalidState
from storage.users import UserStore, check_password, hash_password, verify_password


@pytest.fixture
def users(store):
    return UserStore(store.engine)


def test_right_password_verifies():
    assert verify_password("correct horse", hash_password("correct horse"))


def test_wrong_password_does_not_verify():
    assert not verify_password("correct hors", hash_password("correct horse"))


def test_same_password_gets_different_salts():
    assert hash_password("correct horse") != hash_password("correct horse")


def test_hash_never_holds_the_password():
    stored = hash_password("correct horse")
    assert "correct horse" not in stored
    assert stored.startswith("scrypt$16384$8$1$")


def test_malformed_hash_does_not_verify():
    assert not verify_password("x", "scrypt$not$a$hash")
    assert not verify_password("x", "md5$abc")


@pytest.mark.parametrize(("password", "problem"), [("", "empty"), ("seven77", "too short")])
def test_bad_passwords_are_refused(password, problem):
    with pytest.raises(ValueError, match=problem):
        check_password(password)


def test_authenticate_returns_the_user_for_the_right_password(users):
    users.create_user("ada", "lovelace1", is_admin=True)
    user = users.authenticate("ada", "lovelace1")
    assert (user.name, user.is_admin) == ("ada", True)


def test_authenticate_refuses_a_wrong_password_and_an_unknown_name(users):
    users.create_user("ada", "lovelace1")
    assert users.authenticate("ada", "lovelace2") is None
    assert users.authenticate("bob", "lovelace1") is None


def test_stored_hash_is_not_the_password(users, store):
    users.create_user("ada", "lovelace1")
    with store.engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT password_hash FROM users").scalar()
    assert "lovelace1" not in stored and verify_password("lovelace1", stored)


def test_duplicate_name_is_refused(users):
    users.create_user("ada", "lovelace1")
    with pytest.raises(InvalidState, match="already exists"):
        users.create_user("ada", "another-pw")
    assert [u.name for u in users.list_users()] == ["ada"]


def test_only_admins_are_admins(users):
    users.create_user("ada", "lovelace1", is_admin=True)
    users.create_user("bob", "builder12")
    assert (users.is_admin("ada"), users.is_admin("bob"), users.is_admin("eve")) == (
        True,
        False,
        False,
    )
    assert not users.is_admin(None)


def test_has_users_is_false_until_one_is_created(users):
    assert not users.has_users()
    users.create_user("ada", "lovelace1")
    assert users.has_users()


def test_ensure_admin_creates_then_updates_the_password(users):
    users.ensure_admin("root", "first-pass")
    users.ensure_admin("root", "second-pass")
    assert users.authenticate("root", "first-pass") is None
    assert users.authenticate("root", "second-pass").is_admin
    assert len(users.list_users()) == 1
