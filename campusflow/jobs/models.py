"""X-08: a persisted record for every long task a person starts (imports, exports, bulk PDFs).

The person sees it move (progress), downloads its result, reads why it failed
and retries it. The work itself runs in a task worker; see ``jobs.tasks``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campusflow.core.scoping import ScopedQuerySet


class JobQuerySet(ScopedQuerySet):
    def visible_to(self, user: object) -> JobQuerySet:
        """A job is its starter's own: results may hold data of their scope only."""
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(created_by=user)


class Job(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        SUCCEEDED = "succeeded", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("任务类型"), max_length=60)
    title = models.CharField(_("任务"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+"
    )
    # The role the job acts in: a job run later must see exactly what its starter saw.
    role = models.ForeignKey(
        "accounts.RoleAssignment",
        verbose_name=_("角色"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    school = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("学校"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.QUEUED)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    input_file = models.FileField(_("上传文件"), max_length=200, blank=True)
    input_name = models.CharField(_("上传文件名"), max_length=200, blank=True)
    progress_done = models.PositiveIntegerField(_("已处理"), default=0)
    progress_total = models.PositiveIntegerField(_("总数"), default=0)
    message = models.CharField(_("进度说明"), max_length=200, blank=True)
    summary = models.JSONField(_("结果摘要"), default=dict, blank=True)
    result_file = models.FileField(_("结果文件"), max_length=200, blank=True)
    result_name = models.CharField(_("结果文件名"), max_length=200, blank=True)
    error = models.TextField(_("失败原因"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("执行次数"), default=0)
    created_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "-created_at"]), models.Index(fields=["state", "heartbeat_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        if self.state == self.State.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(99, int(self.progress_done * 100 / self.progress_total))

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.SUCCEEDED, self.State.FAILED)
