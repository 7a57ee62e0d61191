"""The menu of each role. Modules add their entries here as they arrive."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from campusflow.core.roles import (
    ACCOUNT_MANAGERS,
    AUDIT_READERS,
    DEFINITION_ADMINS,
    PEOPLE_READERS,
    PRACTICE_REQUEST_READERS,
    SCHOOL_MANAGERS,
    STAFF_ROLES,
    Role,
)

# Leaving-school clearance (C-01…C-08); kept in step with campusflow.clearance.actions.
CLEARANCE_PLAN_MANAGERS = frozenset({Role.SYSTEM_ADMIN, Role.SCHOOL_ADMIN})
CLEARANCE_DESK_ROLES = frozenset(
    {Role.CHECKPOINT_OPERATOR, Role.DEPT_STUDENT_AFFAIRS, Role.TEACHING_SECRETARY, Role.SUPERVISOR}
)
# 后台管理 → 查询统计 (C-06): school-level staff, college staff (their college), checkpoint operators (read-only).
CLEARANCE_QUERY_ROLES = frozenset(
    {
        Role.SYSTEM_ADMIN,
        Role.SCHOOL_ADMIN,
        Role.GRADUATE_SCHOOL,
        Role.STUDENT_AFFAIRS_OFFICE,
        Role.DEPARTMENT_ADMIN,
        Role.DEPT_STUDENT_AFFAIRS,
        Role.TEACHING_SECRETARY,
        Role.DEPARTMENT_OPERATOR,
        Role.CHECKPOINT_OPERATOR,
    }
)


@dataclass(frozen=True)
class NavEntry:
    label: str | Promise
    url_name: str
    roles: frozenset[Role] | None = None  # None: every signed-in role
    icon: str = "circle"


ENTRIES: list[NavEntry] = [
    NavEntry(_("首页"), "core:home", icon="house"),
    NavEntry(_("审批事项"), "workflow:inbox", icon="inbox"),
    NavEntry(_("实践过程请假"), "practice:leave_request_list", PRACTICE_REQUEST_READERS, icon="calendar-x"),
    NavEntry(_("专业实践离校申请"), "practice:leave_school_list", PRACTICE_REQUEST_READERS, icon="box-arrow-right"),
    NavEntry(pgettext_lazy("menu", "学生"), "orgs:student_list", PEOPLE_READERS, icon="people"),
    NavEntry(
        pgettext_lazy("menu", "教师"),
        "orgs:teacher_list",
        PEOPLE_READERS - {Role.ENTERPRISE_MENTOR},
        icon="person-badge",
    ),
    NavEntry(pgettext_lazy("menu", "企业导师"), "orgs:mentor_list", PEOPLE_READERS, icon="briefcase"),
    NavEntry(_("实践基地"), "bases:base_list", STAFF_ROLES | {Role.ENTERPRISE_MENTOR}, icon="building"),
    NavEntry(_("企业库"), "bases:enterprise_list", STAFF_ROLES | {Role.STUDENT}, icon="buildings"),
    NavEntry(_("学生实践信息查询"), "practice:query", PEOPLE_READERS, icon="clipboard-data"),
    NavEntry(_("院系配置"), "orgs:unit_list", SCHOOL_MANAGERS | {Role.PROVINCIAL_ADMIN}, icon="diagram-3"),
    NavEntry(_("账号管理"), "accounts:user_list", ACCOUNT_MANAGERS, icon="person-gear"),
    NavEntry(_("流程配置"), "workflow:definition_list", DEFINITION_ADMINS, icon="diagram-2"),
    NavEntry(_("委托办理"), "workflow:delegations", STAFF_ROLES, icon="person-check"),
    NavEntry(_("后台任务"), "jobs:list", STAFF_ROLES, icon="hourglass-split"),
    NavEntry(
        _("年度承诺书"), "orgs:commitment_list", SCHOOL_MANAGERS | {Role.PROVINCIAL_ADMIN}, icon="file-earmark-check"
    ),
    NavEntry(_("审计日志"), "core:audit_list", AUDIT_READERS, icon="journal-text"),
    NavEntry(_("离校方案"), "clearance:plan_list", CLEARANCE_PLAN_MANAGERS, icon="signpost-split"),
    NavEntry(_("离校现场办理"), "clearance:desk", CLEARANCE_DESK_ROLES, icon="person-check-fill"),
    NavEntry(_("离校查询统计"), "clearance:query", CLEARANCE_QUERY_ROLES, icon="table"),
    NavEntry(_("我的离校办理"), "clearance:me", frozenset({Role.STUDENT}), icon="signpost"),
    NavEntry(_("证书与材料发放"), "clearance:issuance", frozenset({Role.DEPARTMENT_OPERATOR}), icon="award"),
]


def menu_for(user: Any, current_path: str) -> list[dict[str, Any]]:
    role = user.role
    items = []
    for entry in ENTRIES:
        if entry.roles is not None and role not in entry.roles:
            continue
        url = reverse(entry.url_name)
        active = current_path == url if url == "/" else current_path.startswith(url)
        items.append({"label": entry.label, "url": url, "icon": entry.icon, "active": active})
    return items
