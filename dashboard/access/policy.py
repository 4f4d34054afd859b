"""What a viewer may see: the Viewer (role, organisation, username), the guest and the
command line's administrator, and which projects each may see as aggregates or in detail.

Roles:
- admin: everything; imports data; manages users;
- member (of an organisation): its own organisation's projects in full, plus the projects
  other organisations share (`shared` = yes), as aggregates;
- guest (nobody logged in): only shared projects, only aggregates.

Who the viewer of a request is comes from the server-side session (dashboard.access.viewer:
a signed cookie holding a session id, checked against the store on every request), never
from anything else the browser sends.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dashboard.core.i18n import _


@dataclass(frozen=True)
class Viewer:
    """What the current request may see."""

    role: str  # admin, member or guest
    organisation: str | None = None
    username: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def label(self) -> str:
        if self.role == "guest":
            return _("Guest: shared data only")
        if self.role == "admin":
            return _("{username} (network admin)").format(username=self.username)
        return f"{self.username} ({self.organisation})"


GUEST = Viewer("guest")
ADMIN = Viewer("admin", username="(command line)")


def visible_projects(viewer: Viewer, projects: Iterable[tuple[str, str, bool]]) -> tuple[str, ...]:
    """Project ids a viewer may see as aggregates: (project_id, organisation, shared)."""
    return tuple(
        pid
        for pid, org, shared in projects
        if viewer.is_admin or shared or (viewer.role == "member" and org == viewer.organisation)
    )


def detailed_projects(viewer: Viewer, projects: Iterable[tuple[str, str, bool]]) -> tuple[str, ...]:
    """Project ids a viewer may see in detail (per trainer, per group): its own."""
    return tuple(
        pid
        for pid, org, _shared in projects
        if viewer.is_admin or (viewer.role == "member" and org == viewer.organisation)
    )
