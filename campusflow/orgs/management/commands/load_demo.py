"""``manage.py load_demo``: fill a local installation with the demo school (SPEC X-09).

Refuses unless ``settings.DEMO_DATA_ALLOWED`` (off in production). A second run
changes nothing and only prints the demo accounts again.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from campusflow.orgs import demo


class Command(BaseCommand):
    help = "Load the demo province, schools, people and one account per role (local demo only)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            result = demo.load_demo()
        except demo.DemoNotAllowed as exc:
            raise CommandError(
                "演示数据只能在本地演示环境中加载（CAMPUSFLOW_DEMO / DEMO_DATA_ALLOWED 未开启，或已有同名账号）。"
                f"\nDemo data is refused here: {exc}."
            ) from None
        elapsed = time.monotonic() - started
        counts = result.counts
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(f"演示数据已创建（{elapsed:.1f} 秒） / demo data loaded in {elapsed:.1f}s")
            )
        else:
            self.stdout.write("演示数据已存在，未做任何改动 / demo data already loaded, nothing changed")
        self.stdout.write(
            f"学校 {counts['schools']} · 院系 {counts['departments']} · 职能部门 {counts['offices']} · "
            f"学生 {counts['students']} · 教师 {counts['teachers']} · 企业导师 {counts['mentors']} · "
            f"演示账号 {counts['accounts']} · 审批事项 {counts['cases']} · 企业 {counts['enterprises']}"
        )
        self.stdout.write("")
        for line in demo.format_accounts(result.accounts):
            self.stdout.write(line)
        for line in demo.LEAVE_HINT:
            self.stdout.write(self.style.NOTICE(line))
        self.stdout.write("")
        self.stdout.write(
            self.style.WARNING(
                f"演示密码 {demo.DEMO_PASSWORD} 仅用于本地演示，生产环境不会创建这些账号 / "
                "demo-only passwords: production never creates these accounts."
            )
        )
        self.stdout.write(
            f"待激活账号首次登录使用一次性密码 {demo.INITIAL_PASSWORD}，短信验证码见控制台输出或 var/sms.log。"
            " / Accounts marked 待激活 show the first-login activation; the SMS code is printed on the console."
        )
