"""Who may use the app: the admin from the environment, and no public bind without one."""

import pytest

from app import Settings, check_admin
from storage.store import Store
from storage.users import UserStore


@pytest.fixture
def users(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'itune.db'}")
    yield UserStore(store.engine)
    store.close()


def test_a_public_bind_without_an_admin_is_refused(users):
    with pytest.raises(ValueError, match="ITUNE_ADMIN_PASSWORD"):
        check_admin(Settings(server_name="0.0.0.0"), users)
    assert users.list_users() == []


def test_a_public_bind_with_only_writers_is_refused(users):
    users.create_user("writer", "a-long-password")
    with pytest.raises(ValueError, match="admin"):
        check_admin(Settings(server_name="0.0.0.0"), users)


def test_the_admin_password_in_the_environment_creates_the_admin(users):
    check_admin(Settings(server_name="0.0.0.0", admin_password="s3cret-pass"), users)
    assert users.is_admin("admin")
    assert users.authenticate("admin", "s3cret-pass") is not None


def test_a_new_admin_password_replaces_the_old_one(users):
    users.create_user("boss", "old-password", is_admin=False)
    check_admin(Settings(admin_user="boss", admin_password="new-password"), users)
    assert users.is_admin("boss")
    assert users.authenticate("boss", "old-password") is None
    assert users.authenticate("boss", "new-password") is not None


def test_a_too_short_admin_password_is_refused_and_creates_nothing(users):
    with pytest.raises(ValueError):
        check_admin(Settings(admin_password="short"), users)
    assert users.list_users() == []


def test_loopback_without_users_is_a_single_local_user(users):
    check_admin(Settings(), users)
    assert users.list_users() == []
