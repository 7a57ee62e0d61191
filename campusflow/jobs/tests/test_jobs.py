"""X-08: jobs with progress, results, failures and retries, run by the task backend."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from campusflow.core.testing import build_world, client_for
from campusflow.jobs import actions
from campusflow.jobs.models import Job
from campusflow.jobs.registry import JobFailure, JobResult, register
from campusflow.notifications.models import Notification


@register("test.count", "测试：计数")
def _count(job, progress):  # type: ignore[no-untyped-def]
    total = int(job.params.get("n", 10))
    progress.total(total)
    for done in range(1, total + 1):
        progress.advance(done, f"{done}/{total}")
    text = ",".join(str(i) for i in range(total))
    return JobResult(summary={"数量": total}, file_bytes=text.encode(), file_name="计数.csv")


@register("test.flaky", "测试：第一次失败")
def _flaky(job, progress):  # type: ignore[no-untyped-def]
    if job.attempts <= 1:
        raise JobFailure("第一次总是失败")
    return JobResult(summary={"ok": 1})


@register("test.crash", "测试：程序错误")
def _crash(job, progress):  # type: ignore[no-untyped-def]
    raise RuntimeError("secret internals 110105199001011234")


pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.spec("X-08")
def test_a_job_runs_after_commit_and_its_result_downloads_only_for_its_starter():
    world = build_world()
    job = actions.start(actor=world.school_admin, kind="test.count", title="计数任务", params={"n": 450})
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED and job.percent == 100
    assert job.progress_done == job.progress_total == 450 and job.summary == {"数量": 450}
    response = client_for(world.school_admin).get(f"/jobs/{job.pk}/download/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"] and response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"0,1,2")  # type: ignore[attr-defined]
    assert client_for(world.grad_school).get(f"/jobs/{job.pk}/download/").status_code == 404
    assert client_for(world.grad_school).get(f"/jobs/{job.pk}/").status_code == 404
    assert Notification.objects.filter(recipient=world.school_admin, kind="jobs.finished").count() == 1


@pytest.mark.spec("X-08")
def test_a_failed_job_says_why_and_can_be_retried_once_it_failed():
    world = build_world()
    job = actions.start(actor=world.school_admin, kind="test.flaky", title="不稳定任务")
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and job.error == "第一次总是失败"
    page = client_for(world.school_admin).get(f"/jobs/{job.pk}/").content.decode()
    assert 'data-testid="job-error"' in page and "重试" in page
    client_for(world.school_admin).post(f"/jobs/{job.pk}/retry/")
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED and job.attempts == 2
    refused = client_for(world.school_admin).post(f"/jobs/{job.pk}/retry/", follow=True)
    assert "只有失败的任务可以重试" in refused.content.decode()


@pytest.mark.spec("X-08", "S-10")
def test_a_crash_is_reported_without_internals():
    world = build_world()
    job = actions.start(actor=world.school_admin, kind="test.crash", title="出错任务")
    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert "110105" not in job.error and "secret" not in job.error


@pytest.mark.spec("X-08")
def test_a_running_job_whose_worker_died_is_failed_and_retryable():
    world = build_world()
    job = Job.objects.create(
        kind="test.count",
        title="中断的任务",
        created_by=world.school_admin,
        state=Job.State.RUNNING,
        heartbeat_at=timezone.now(),
        params={"n": 3},
    )
    assert actions.fail_stale() == 0
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert actions.fail_stale() == 1
    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    actions.retry(actor=world.school_admin, job_id=job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED


@pytest.mark.spec("X-08")
def test_progress_polls_as_a_fragment_and_the_list_is_personal():
    world = build_world()
    job = Job.objects.create(
        kind="test.count", title="排队的任务", created_by=world.school_admin, progress_total=10, progress_done=4
    )
    client = client_for(world.school_admin)
    fragment = client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="job-status"') and 'hx-trigger="every 2s"' in fragment
    assert "排队的任务" in client.get("/jobs/").content.decode()
    assert "排队的任务" not in client_for(world.grad_school).get("/jobs/").content.decode()
    assert Client().get("/jobs/").status_code == 302
