"""P-04 scoping, in one place.

Every model that holds school data declares *how* it relates to the org tree
and to the people who may see it, with a :class:`Scope`, and uses
:class:`ScopedQuerySet` so that ``Model.objects.visible_to(user)`` answers
"which rows may this person, in their current role, see?".

How a role sees:
- system admin: everything;
- provincial admin: every school under their province;
- a role held at a school or an office: the whole school;
- a role held at a department: that department (models without a department
  path are invisible unless they opt in with ``department_sees_school``);
- personal roles (student, supervisor, enterprise mentor, station manager,
  reviewing expert): only rows related to them through ``personal`` paths.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self

from django.db import models
from django.db.models import Q

from campusflow.core.roles import Role

if TYPE_CHECKING:
    from campusflow.accounts.models import RoleAssignment


@dataclass(frozen=True)
class Scope:
    school: str | None = "school"
    department: str | None = None
    personal: dict[Role, str] = field(default_factory=dict)
    department_sees_school: bool = False


NOTHING = Q(pk__in=[])


def _is_multivalued(model: type[models.Model], path: str) -> bool:
    """Does ``path`` cross a one-to-many or many-to-many relation (and so repeat rows)?"""
    current = model
    for part in path.split("__"):
        try:
            field_ = current._meta.get_field(part)
        except Exception:  # a lookup such as ``parent_id``: not a relation
            return False
        if field_.one_to_many or field_.many_to_many:
            return True
        if not field_.is_relation or field_.related_model is None:
            return False
        current = field_.related_model  # type: ignore[assignment]
    return False


def _match(model: type[models.Model], path: str, value: Any) -> Q:
    """``path == value``, as a subquery when a join would repeat rows."""
    if _is_multivalued(model, path):
        return Q(pk__in=model._default_manager.filter(**{path: value}).values("pk"))
    return Q(**{path: value})


def scope_q(model: type[models.Model], assignment: RoleAssignment | None) -> Q:
    """The filter for ``model`` as seen by one role assignment."""
    if assignment is None:
        return NOTHING
    scope: Scope = model.scoping  # type: ignore[attr-defined]
    role = Role(assignment.role)
    if role == Role.SYSTEM_ADMIN:
        return Q()
    if role.is_personal:
        path = scope.personal.get(role)
        return _match(model, path, assignment.user_id) if path else NOTHING
    unit = assignment.unit
    if unit is None or scope.school is None:
        return NOTHING
    if role == Role.PROVINCIAL_ADMIN or unit.kind == "province":
        return _match(model, f"{scope.school}__parent_id", unit.pk)
    if unit.kind == "department":
        if scope.department is not None:
            return _match(model, scope.department, unit.pk)
        if scope.department_sees_school:
            return _match(model, scope.school, unit.school_id)
        return NOTHING
    return _match(model, scope.school, unit.school_id)


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> Self:
        """Rows ``user`` may see in their current role; none for anonymous users."""
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(scope_q(self.model, user.active_role))
