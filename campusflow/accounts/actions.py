"""Every change to accounts, roles, sessions and SMS codes (P-03, P-05, S-01…S-04).

Each function takes ``actor=`` where someone acts on another account, checks
permission, runs in one transaction with its audit event, and sends SMS only
after commit.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import login as django_login
from django.contrib.auth import logout as django_logout
from django.contrib.auth import password_validation, update_session_auth_hash
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from campusflow.accounts.models import ApiToken, RoleAssignment, SmsCode, User, UserSession
from campusflow.accounts.sms import get_sender
from campusflow.core import audit
from campusflow.core.crypto import blind_index
from campusflow.core.errors import ActionError
from campusflow.core.middleware import client_ip
from campusflow.core.roles import ACCOUNT_MANAGERS, Role
from campusflow.core.validators import normalize_code, normalize_phone, validate_mobile
from campusflow.orgs.models import OrgUnit

# -- passwords ---------------------------------------------------------------


def generate_password(length: int = 14) -> str:
    """A random one-time password that meets S-01 (all four character classes)."""
    alphabet = string.ascii_letters + string.digits + "!@#$%^&*-_"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if (
            any(c.islower() for c in candidate)
            and any(c.isupper() for c in candidate)
            and any(c.isdigit() for c in candidate)
            and any(c in "!@#$%^&*-_" for c in candidate)
        ):
            return candidate


def _validate_password(password: str, user: User, field: str = "new_password1") -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ActionError(" ".join(exc.messages), field=field, code="password") from None


def _set_permanent_password(user: User, password: str) -> None:
    user.set_password(password)
    user.must_change_password = False
    user.temporary_password_expires_at = None
    user.password_changed_at = timezone.now()


def _set_temporary_password(user: User) -> str:
    password = generate_password()
    user.set_password(password)
    user.must_change_password = True
    user.temporary_password_expires_at = timezone.now() + timedelta(days=settings.INITIAL_PASSWORD_VALID_DAYS)
    return password


# -- who may manage whom -----------------------------------------------------


def grantable_roles(actor: User) -> list[Role]:
    """The roles ``actor`` (in their current role) may give to others."""
    role = actor.role
    if role == Role.SYSTEM_ADMIN:
        return list(Role)
    if role == Role.SCHOOL_ADMIN:
        return [r for r in Role if r not in {Role.SYSTEM_ADMIN, Role.PROVINCIAL_ADMIN}]
    if role == Role.DEPARTMENT_ADMIN:
        return [
            Role.SUPERVISOR,
            Role.TEACHING_SECRETARY,
            Role.TEACHING_DEAN,
            Role.DEPT_STUDENT_AFFAIRS,
            Role.DEPARTMENT_OPERATOR,
            Role.COMMITTEE_MEMBER,
        ]
    return []


def assignable_units(actor: User) -> Any:
    """Org units where ``actor`` may grant roles."""
    return OrgUnit.objects.visible_to(actor).filter(is_active=True)


def _require_manager(actor: User) -> None:
    if actor.role not in ACCOUNT_MANAGERS:
        raise PermissionDenied


def _check_grant(actor: User, role: Role, unit: OrgUnit | None) -> None:
    if role not in grantable_roles(actor):
        raise ActionError(_("您无权授予“%(role)s”角色。") % {"role": role.label}, field="role")
    if unit is None:
        if role != Role.SYSTEM_ADMIN:
            raise ActionError(_("请选择角色所在单位。"), field="unit")
        return
    if not assignable_units(actor).filter(pk=unit.pk).exists():
        raise ActionError(_("所选单位不在您的管理范围内。"), field="unit")
    if unit.kind not in role.allowed_unit_kinds:
        raise ActionError(
            _("“%(role)s”角色不能设在“%(unit)s”这类单位。") % {"role": role.label, "unit": unit.get_kind_display()},
            field="unit",
        )


def managed_user_or_404(actor: User, user_id: Any) -> User:
    _require_manager(actor)
    try:
        return User.objects.visible_to(actor).exclude(status=User.Status.DELETED).get(pk=user_id)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# -- creating accounts and roles ---------------------------------------------


@dataclass(frozen=True)
class NewAccount:
    user: User
    initial_password: str


def create_account(
    *,
    actor: User,
    username: str,
    full_name: str,
    roles: list[tuple[Role, OrgUnit | None]],
    email: str = "",
) -> NewAccount:
    """An account with a random initial password that expires in 7 days (S-01)."""
    _require_manager(actor)
    username = normalize_code(username)
    if not username:
        raise ActionError(_("请输入用户名（学号或工号）。"), field="username")
    if not roles:
        raise ActionError(_("请至少选择一个角色。"), field="role")
    for role, unit in roles:
        _check_grant(actor, role, unit)
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise ActionError(_("用户名“%(u)s”已被使用。") % {"u": username}, field="username")
        school = next((unit.school for _r, unit in roles if unit is not None and unit.school_id), None)
        user = User(username=username, full_name=full_name.strip(), email=email.strip(), school=school)
        user.created_by = actor
        password = _set_temporary_password(user)
        user.save()
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=user, role=role, unit=unit, granted_by=actor) for role, unit in roles]
        )
        audit.record(
            "accounts.create",
            actor=actor,
            target=user,
            school=school,
            data={"roles": [str(role) for role, _u in roles]},
        )
    return NewAccount(user=user, initial_password=password)


def grant_role(*, actor: User, user: User, role: Role, unit: OrgUnit | None) -> RoleAssignment:
    _require_manager(actor)
    _check_grant(actor, role, unit)
    with transaction.atomic():
        assignment, created = RoleAssignment.objects.get_or_create(
            user=user, role=role, unit=unit, defaults={"granted_by": actor}
        )
        if not created:
            raise ActionError(_("该账号已在此单位拥有此角色。"), field="role")
        audit.record(
            "accounts.grant_role",
            actor=actor,
            target=user,
            school=unit.school_id if unit else None,
            data={"role": str(role), "unit": unit.name if unit else ""},
        )
    return assignment


def revoke_role(*, actor: User, assignment: RoleAssignment) -> None:
    _require_manager(actor)
    _check_grant(actor, Role(assignment.role), assignment.unit)
    with transaction.atomic():
        user = assignment.user
        if user.roles.count() <= 1:
            raise ActionError(_("账号至少需要保留一个角色；如需停用请使用“停用账号”。"))
        audit.record(
            "accounts.revoke_role",
            actor=actor,
            target=user,
            school=assignment.unit.school_id if assignment.unit else None,
            data={"role": assignment.role, "unit": assignment.unit.name if assignment.unit else ""},
        )
        assignment.delete()


# -- signing in and out; sessions (S-02, S-03) --------------------------------


def sign_in(request: HttpRequest, user: User) -> None:
    """Log in with a new session id, remember the session server-side, audit it."""
    django_login(request, user, backend="campusflow.accounts.backends.CampusBackend")
    request.session["login_at"] = timezone.now().timestamp()
    request.session.save()
    with transaction.atomic():
        UserSession.objects.create(user=user, session_key=request.session.session_key or "", ip=client_ip(request))
        audit.record("accounts.login", actor=user, target=user, school=user.school_id)


def record_login_failure(username: str, *, locked: bool) -> None:
    user = User.objects.filter(username__iexact=normalize_code(username)).first()
    with transaction.atomic():
        audit.record(
            "accounts.lockout" if locked else "accounts.login_failed",
            actor=None,
            target=user,
            school=user.school_id if user else None,
            data={"username": normalize_code(username)[:64]},
        )


def sign_out(request: HttpRequest) -> None:
    user = request.user
    if user.is_authenticated:
        with transaction.atomic():
            UserSession.objects.filter(session_key=request.session.session_key or "").delete()
            audit.record("accounts.logout", actor=user, target=user, school=user.school_id)
    django_logout(request)


def end_all_sessions(user: User) -> int:
    """Delete every server-side session of ``user`` (logout everywhere)."""
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=user).delete()
    return len(keys)


def switch_role(request: HttpRequest, *, actor: User, assignment_id: Any) -> RoleAssignment:
    try:
        assignment = actor.roles.select_related("unit").get(pk=assignment_id)
    except (RoleAssignment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    request.session["role_id"] = assignment.pk
    actor.set_active_role(assignment)
    with transaction.atomic():
        audit.record("accounts.switch_role", actor=actor, target=actor, data={"role": assignment.role})
    return assignment


# -- SMS codes (S-04) --------------------------------------------------------


def _code_digest(phone: str, code: str) -> str:
    return salted_hmac("campusflow.sms", f"{phone}:{code}", algorithm="sha256").hexdigest()


def _check_sms_rate(index: str, now: Any) -> None:
    """S-04: at least 60 s between codes and at most 10 a day per phone. Call inside a transaction."""
    recent = SmsCode.objects.select_for_update().filter(phone_index=index)
    last = recent.order_by("-created_at").first()
    if last and (now - last.created_at).total_seconds() < settings.SMS_RESEND_INTERVAL_SECONDS:
        wait = settings.SMS_RESEND_INTERVAL_SECONDS - int((now - last.created_at).total_seconds())
        raise ActionError(_("验证码发送过于频繁，请 %(s)d 秒后再试。") % {"s": wait}, field="phone")
    day_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    if recent.filter(created_at__gte=day_start).count() >= settings.SMS_DAILY_LIMIT_PER_PHONE:
        raise ActionError(_("该手机号今日获取验证码次数已达上限，请明天再试。"), field="phone")


def send_sms_code(*, phone: str, purpose: SmsCode.Purpose, user: User | None = None) -> None:
    """Send a code to ``phone``. Raises ActionError only for format or rate limits.

    For a password reset the caller sends only when the account and phone match,
    and shows the same answer either way, so nothing tells whether they did.
    """
    phone = normalize_phone(phone)
    try:
        validate_mobile(phone)
    except ValidationError as exc:
        raise ActionError(exc.messages[0], field="phone") from None
    index = blind_index(phone)
    now = timezone.now()
    with transaction.atomic():
        _check_sms_rate(index, now)
        code = f"{secrets.randbelow(1_000_000):06d}"
        SmsCode.objects.create(
            phone_index=index,
            purpose=purpose,
            user=user,
            code_hash=_code_digest(phone, code),
            created_at=now,
            expires_at=now + timedelta(seconds=settings.SMS_CODE_TTL_SECONDS),
        )
        message = _("【campusflow】您的验证码是 %(code)s，5分钟内有效，请勿告诉他人。") % {"code": code}
        transaction.on_commit(lambda: get_sender().send(phone, message))


def register_sms_request(*, phone: str, purpose: SmsCode.Purpose) -> None:
    """Count a request that sends nothing (unknown account) exactly like a real one.

    Forgotten-password requests for accounts that do not exist must hit the same
    rate limits as real ones, or the answers would tell them apart (S-04).
    """
    phone = normalize_phone(phone)
    try:
        validate_mobile(phone)
    except ValidationError as exc:
        raise ActionError(exc.messages[0], field="phone") from None
    index = blind_index(phone)
    now = timezone.now()
    with transaction.atomic():
        _check_sms_rate(index, now)
        # An unusable code: nothing was sent, but the attempt is counted.
        SmsCode.objects.create(
            phone_index=index, purpose=purpose, code_hash="!", created_at=now, expires_at=now, used_at=now
        )


def verify_sms_code(*, phone: str, purpose: SmsCode.Purpose, code: str) -> None:
    """Consume a valid code or raise. Five wrong tries burn the code.

    Call it outside the caller's own transaction and after the caller's other
    checks: a wrong try must be counted even though the caller then fails.
    """
    phone = normalize_phone(phone)
    code = normalize_code(code)
    now = timezone.now()
    with transaction.atomic():
        latest = (
            SmsCode.objects.select_for_update()
            .filter(phone_index=blind_index(phone), purpose=purpose, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        if latest is not None and latest.wrong_tries < settings.SMS_CODE_MAX_TRIES:
            if len(code) == 6 and code.isdigit() and hmac.compare_digest(latest.code_hash, _code_digest(phone, code)):
                latest.used_at = now
                latest.save(update_fields=["used_at"])
                return
            latest.wrong_tries += 1
            latest.save(update_fields=["wrong_tries"])
    raise ActionError(_("验证码错误或已失效，请重新获取。"), field="code")


# -- the account holder's own actions (P-05) ----------------------------------


def _check_new_password(user: User, new_password: str, confirm: str) -> None:
    if new_password != confirm:
        raise ActionError(_("两次输入的新密码不一致。"), field="new_password2")
    _validate_password(new_password, user)
    if user.has_usable_password() and user.check_password(new_password):
        raise ActionError(_("新密码不能与当前密码相同。"), field="new_password1")


def _check_phone_free(phone: str, user: User) -> None:
    if User.objects.filter(phone_index=blind_index(phone)).exclude(pk=user.pk).exists():
        raise ActionError(_("该手机号已绑定其他账号。"), field="phone")


def request_phone_code(*, actor: User, phone: str, purpose: SmsCode.Purpose) -> None:
    """Send a code for binding or changing the actor's own phone."""
    phone = normalize_phone(phone)
    try:
        validate_mobile(phone)
    except ValidationError as exc:
        raise ActionError(exc.messages[0], field="phone") from None
    _check_phone_free(phone, actor)
    send_sms_code(phone=phone, purpose=purpose, user=actor)


def activate_account(
    request: HttpRequest,
    *,
    actor: User,
    full_name: str,
    email: str,
    phone: str,
    code: str,
    new_password: str,
    confirm_password: str,
) -> None:
    """First login (P-05): complete the profile, bind a phone by SMS, replace the initial password."""
    full_name = full_name.strip()
    if not full_name:
        raise ActionError(_("请填写姓名。"), field="full_name")
    phone = normalize_phone(phone)
    try:
        validate_mobile(phone)
    except ValidationError as exc:
        raise ActionError(exc.messages[0], field="phone") from None
    _check_phone_free(phone, actor)
    # The policy sees the phone being bound, so it cannot be the password.
    actor.phone = phone
    _check_new_password(actor, new_password, confirm_password)
    verify_sms_code(phone=phone, purpose=SmsCode.Purpose.BIND_PHONE, code=code)
    with transaction.atomic():
        actor.full_name = full_name
        actor.email = email.strip()
        _set_permanent_password(actor, new_password)
        actor.activated_at = timezone.now()
        actor.save()
        audit.record("accounts.activate", actor=actor, target=actor, school=actor.school_id)
    update_session_auth_hash(request, actor)


def change_password(
    request: HttpRequest, *, actor: User, old_password: str, new_password: str, confirm_password: str
) -> None:
    if not actor.check_password(old_password):
        raise ActionError(_("当前密码不正确。"), field="old_password")
    _check_new_password(actor, new_password, confirm_password)
    with transaction.atomic():
        _set_permanent_password(actor, new_password)
        actor.save(
            update_fields=["password", "must_change_password", "temporary_password_expires_at", "password_changed_at"]
        )
        audit.record("accounts.change_password", actor=actor, target=actor, school=actor.school_id)
    # Other sessions end; this one continues with a fresh hash.
    keep = request.session.session_key
    keys = list(UserSession.objects.filter(user=actor).exclude(session_key=keep).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(session_key__in=keys).delete()
    update_session_auth_hash(request, actor)


def change_phone(*, actor: User, password: str, new_phone: str, code: str) -> None:
    """Change the bound phone: re-authenticate with the password, then prove the new phone."""
    if not actor.check_password(password):
        raise ActionError(_("密码不正确，无法更换手机号。"), field="password")
    new_phone = normalize_phone(new_phone)
    try:
        validate_mobile(new_phone)
    except ValidationError as exc:
        raise ActionError(exc.messages[0], field="phone") from None
    _check_phone_free(new_phone, actor)
    verify_sms_code(phone=new_phone, purpose=SmsCode.Purpose.CHANGE_PHONE, code=code)
    with transaction.atomic():
        actor.phone = new_phone
        actor.save(update_fields=["phone", "phone_index"])
        audit.record("accounts.change_phone", actor=actor, target=actor, school=actor.school_id)


def _account_for_reset(username: str, phone: str) -> User | None:
    user = User.objects.filter(username__iexact=normalize_code(username), status=User.Status.ACTIVE).first()
    if user is None or not user.phone_index or user.phone_index != blind_index(normalize_phone(phone)):
        return None
    return user


def request_password_reset(*, username: str, phone: str) -> None:
    """Forgotten password: send a code only when account and phone match; answer the same either way."""
    user = _account_for_reset(username, phone)
    if user is None:
        register_sms_request(phone=phone, purpose=SmsCode.Purpose.RESET_PASSWORD)
        return
    send_sms_code(phone=phone, purpose=SmsCode.Purpose.RESET_PASSWORD, user=user)


def reset_password_with_code(*, username: str, phone: str, code: str, new_password: str, confirm_password: str) -> None:
    user = _account_for_reset(username, phone)
    if user is None:
        # Same message as a wrong code: the form must not reveal which part was wrong.
        raise ActionError(_("验证码错误或已失效，请重新获取。"), field="code")
    _check_new_password(user, new_password, confirm_password)
    verify_sms_code(phone=phone, purpose=SmsCode.Purpose.RESET_PASSWORD, code=code)
    with transaction.atomic():
        _set_permanent_password(user, new_password)
        if user.activated_at is None:
            # The phone was proven by SMS just now; the profile step remains.
            user.must_change_password = False
        user.save()
        audit.record("accounts.reset_password_sms", actor=user, target=user, school=user.school_id)
    end_all_sessions(user)


# -- administering accounts (P-05, P-06) --------------------------------------


def suspend_account(*, actor: User, user: User, reason: str = "") -> None:
    _require_manager(actor)
    if user.pk == actor.pk:
        raise ActionError(_("不能停用自己的账号。"))
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.status != User.Status.ACTIVE:
            raise ActionError(_("该账号当前不是正常状态。"))
        locked.status = User.Status.SUSPENDED
        locked.is_active = False
        locked.save(update_fields=["status", "is_active"])
        end_all_sessions(locked)
        audit.record("accounts.suspend", actor=actor, target=locked, school=locked.school_id, data={"reason": reason})
    user.status, user.is_active = locked.status, locked.is_active


def restore_account(*, actor: User, user: User) -> None:
    _require_manager(actor)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.status != User.Status.SUSPENDED:
            raise ActionError(_("只有已停用的账号可以恢复。"))
        locked.status = User.Status.ACTIVE
        locked.is_active = True
        locked.save(update_fields=["status", "is_active"])
        audit.record("accounts.restore", actor=actor, target=locked, school=locked.school_id)
    user.status, user.is_active = locked.status, locked.is_active


def delete_account(*, actor: User, user: User) -> None:
    """Close an account for good. The row stays (audit events point to it); it can never sign in."""
    _require_manager(actor)
    if user.pk == actor.pk:
        raise ActionError(_("不能删除自己的账号。"))
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.status = User.Status.DELETED
        locked.is_active = False
        locked.set_unusable_password()
        locked.save(update_fields=["status", "is_active", "password"])
        locked.roles.all().delete()
        locked.api_tokens.all().delete()
        end_all_sessions(locked)
        audit.record("accounts.delete", actor=actor, target=locked, school=locked.school_id)


def admin_reset_password(*, actor: User, user: User) -> str:
    """Set a one-time password (valid 7 days) that must be changed at next login."""
    _require_manager(actor)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        password = _set_temporary_password(locked)
        locked.save(update_fields=["password", "must_change_password", "temporary_password_expires_at"])
        end_all_sessions(locked)
        audit.record("accounts.admin_reset_password", actor=actor, target=locked, school=locked.school_id)
    return password


def update_account(*, actor: User, user: User, full_name: str, email: str) -> None:
    _require_manager(actor)
    full_name = full_name.strip()
    if not full_name:
        raise ActionError(_("请填写姓名。"), field="full_name")
    with transaction.atomic():
        user.full_name = full_name
        user.email = email.strip()
        user.save(update_fields=["full_name", "email"])
        audit.record("accounts.update", actor=actor, target=user, school=user.school_id)


# -- API tokens ---------------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(*, actor: User, name: str, role: RoleAssignment, days: int = 90) -> str:
    """A bearer token acting in one of the actor's roles; returned once, stored as a digest."""
    if role.user_id != actor.pk:
        raise Http404
    name = name.strip()
    if not name:
        raise ActionError(_("请为令牌命名。"), field="name")
    if not 1 <= days <= 365:
        raise ActionError(_("有效期应在1到365天之间。"), field="days")
    token = "cf_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        ApiToken.objects.create(
            user=actor,
            name=name,
            prefix=token[:10],
            digest=token_digest(token),
            role=role,
            expires_at=timezone.now() + timedelta(days=days),
        )
        audit.record("accounts.create_token", actor=actor, target=actor, school=actor.school_id, data={"name": name})
    return token


def revoke_api_token(*, actor: User, token_id: Any) -> None:
    try:
        token = ApiToken.objects.get(pk=token_id, user=actor, revoked_at__isnull=True)
    except (ApiToken.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            "accounts.revoke_token", actor=actor, target=actor, school=actor.school_id, data={"name": token.name}
        )
