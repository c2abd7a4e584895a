"""What the services refuse on the access policy's word."""

from itune_core.errors import ItuneError


class PermissionDenied(ItuneError):
    """The user may not do this (not logged in, or an admin action by a non-admin)."""
