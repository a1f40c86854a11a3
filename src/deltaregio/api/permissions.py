from rest_framework.permissions import BasePermission


class DenyAll(BasePermission):
    """The default: an endpoint that does not state who may use it is refused to everyone."""

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return False
