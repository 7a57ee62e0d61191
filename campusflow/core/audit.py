"""Writing the audit trail (P-09) and the sensitive-data access log (S-10)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import models, transaction

from campusflow.core.models import AuditEvent, SensitiveAccess
from campusflow.core.request_context import current_origin

if TYPE_CHECKING:
    from campusflow.accounts.models import User


def _school_of(target: models.Model | None, school: Any) -> Any:
    if school is not None:
        return school
    if target is None:
        return None
    school_id = getattr(target, "school_id", None)
    return school_id


def record(
    action: str,
    *,
    actor: User | None,
    target: models.Model | None = None,
    school: Any = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. Call inside the action's transaction."""
    origin = current_origin()
    school_ref = _school_of(target, school)
    role = getattr(actor, "active_role", None) if actor is not None else None
    event = AuditEvent(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=(actor.display_name if actor is not None and actor.pk else ""),
        actor_role=(role.role if role is not None else ""),
        action=action,
        target_type=(target._meta.label_lower if target is not None else ""),
        target_id=(str(target.pk) if target is not None and target.pk is not None else ""),
        target_repr=(str(target)[:200] if target is not None else ""),
        ip=origin.ip,
        user_agent=origin.user_agent[:200],
        via=origin.via,
        data=data or {},
    )
    if isinstance(school_ref, models.Model):
        event.school = school_ref  # type: ignore[assignment]
    elif school_ref is not None:
        event.school_id = school_ref
    event.save()
    return event


def record_sensitive_access(
    *, actor: User, subject: models.Model, fields: Iterable[str], purpose: str = "reveal"
) -> SensitiveAccess:
    origin = current_origin()
    role = actor.active_role
    with transaction.atomic():
        return SensitiveAccess.objects.create(
            actor=actor,
            actor_role=role.role if role else "",
            subject_type=subject._meta.label_lower,
            subject_id=str(subject.pk),
            subject_repr=str(subject)[:200],
            fields=sorted(fields),
            purpose=purpose,
            school_id=getattr(subject, "school_id", None),
            ip=origin.ip,
        )
