"""C-07 the student's view, C-08 issuance, and the professional-practice integration."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from campusflow.bases.tests.helpers import PERIOD, make_base
from campusflow.clearance import actions
from campusflow.clearance.models import ClearanceRecord
from campusflow.clearance.tests.conftest import Setup, build_plan
from campusflow.core.errors import ActionError
from campusflow.core.testing import World, client_for, unit
from campusflow.practice import actions as practice_actions
from campusflow.practice.models import Placement
from campusflow.workflow.models import CaseEvent, Task

pytestmark = pytest.mark.django_db


def clear_everything(s: Setup, student_id: int) -> None:
    w = s.world
    actions.pass_tasks(actor=w.supervisor_cs, checkpoint=s.step("导师审核"), student_ids=[student_id])
    actions.pass_tasks(actor=s.dsa_cs, checkpoint=s.step("培养单位学工审核"), student_ids=[student_id])
    actions.pass_tasks(actor=w.library_operator, checkpoint=s.step("图书馆"), student_ids=[student_id])
    actions.pass_tasks(actor=s.finance_operator, checkpoint=s.step("财务清算"), student_ids=[student_id])


@pytest.mark.spec("C-07")
def test_student_sees_each_checkpoint(active: Setup) -> None:
    s, w = active, active.world
    cs = w.students["cs"]
    actions.decide(
        actor=w.library_operator, checkpoint=s.step("图书馆"), student_id=cs.pk, result="fail", remark="欠书2本"
    )
    client = client_for(w.student_cs)
    page = client.get("/clearance/me/", HTTP_USER_AGENT="iPhone").content.decode()
    assert "2020级研究生6月份" in page and page.count('data-testid="my-step"') == 4
    assert "欠书2本" in page and "不通过" in page
    assert "需先完成：“导师审核”" in page  # 培养单位学工审核 waits for it
    assert 'data-testid="next"' in page and "“导师审核”" in page
    assert 'name="viewport"' in page  # usable on a phone
    # another student's plan is not theirs to see
    assert "王小明" not in client_for(w.student_me).get("/clearance/me/").content.decode()
    assert client_for(w.library_operator).get("/clearance/me/").status_code == 403
    assert client_for(w.student_b).get("/clearance/me/").content.decode().count('data-testid="my-plan"') == 0
    clear_everything(s, cs.pk)
    assert 'data-testid="cleared"' in client.get("/clearance/me/").content.decode()


@pytest.mark.spec("C-08")
def test_issuance_needs_every_checkpoint_passed(active: Setup) -> None:
    s, w = active, active.world
    cs = w.students["cs"]
    record = ClearanceRecord.objects.get(plan=s.plan, student=cs)
    today = timezone.localdate()
    with pytest.raises(ActionError, match="尚未通过全部离校环节"):
        actions.record_issuance(actor=s.issuer_cs, record_ids=[record.pk], item="diploma", issued_on=today)
    with pytest.raises(PermissionDenied):
        actions.record_issuance(actor=s.dsa_cs, record_ids=[record.pk], item="diploma", issued_on=today)
    other = ClearanceRecord.objects.get(plan=s.plan, student=w.students["me"])
    with pytest.raises(Http404):
        actions.record_issuance(actor=s.issuer_cs, record_ids=[other.pk], item="diploma", issued_on=today)
    with pytest.raises(ActionError, match="晚于今天"):
        actions.record_issuance(
            actor=s.issuer_cs, record_ids=[record.pk], item="diploma", issued_on=today + timedelta(days=1)
        )
    clear_everything(s, cs.pk)
    result = actions.record_issuance(actor=s.issuer_cs, record_ids=[record.pk], item="diploma", issued_on=today)
    assert result.issued == 1
    record.refresh_from_db()
    assert record.diploma_issued_on == today and record.diploma_issued_by == s.issuer_cs
    # batch: the issued one is counted as already done, nothing changes twice
    again = actions.record_issuance(
        actor=s.issuer_cs, record_ids=[record.pk, other.pk], item="diploma", issued_on=today
    )
    assert again.issued == 0 and again.already == 1
    client = client_for(s.issuer_cs)
    page = client.get("/clearance/issuance/").content.decode()
    assert page.count('data-testid="issue-row"') == 1 and today.strftime("%Y-%m-%d") in page


@pytest.mark.spec("C-01", "G-01")
def test_practice_exit_passes_the_supervisor_checkpoint(world: World) -> None:
    unit("财务处", "office", world.school_a, "92", office_type="finance")
    cs = world.students["cs"]
    base = make_base(world, mentors=(world.mentors["a"],))
    placement = practice_actions.create_placement(
        actor=world.secretary_cs,
        data=practice_actions.PlacementInput(
            student=cs,
            base=base,
            mentor=world.mentors["a"],
            practice_type=Placement.PracticeType.DISPATCH,
            start_date=PERIOD["start_date"],
            end_date=PERIOD["end_date"],
            onsite_start=PERIOD["onsite_start"],
            onsite_end=PERIOD["onsite_end"],
        ),
    )
    plan = build_plan(world, practice_exit_passes_supervisor=True)
    assert actions.initialise(actor=world.school_admin, plan_id=plan.pk).auto_passed == 0
    practice_actions.end_placement(actor=world.secretary_cs, placement=placement, status=Placement.Status.EXITED)
    assert actions.sync_practice_exits(actor=world.school_admin, plan_id=plan.pk) == 1
    supervisor_step = plan.definition.steps.get(actor="school_supervisor")
    task = Task.objects.get(case__student=cs, step=supervisor_step)
    assert task.state == Task.State.APPROVED and task.opinion == "专业实践已出站，自动通过"
    assert CaseEvent.objects.filter(case__student=cs, kind=CaseEvent.Kind.AUTO_PASSED).count() == 1
    # the next checkpoint opened, and the counters moved
    assert Task.objects.filter(case__student=cs, step__name="培养单位学工审核", state=Task.State.OPEN).exists()
    assert actions.counters(plan, supervisor_step).passed == 1
    assert actions.sync_practice_exits(actor=world.school_admin, plan_id=plan.pk) == 0
    # at initialisation, too
    later = build_plan(world, name="第二批", practice_exit_passes_supervisor=True)
    assert actions.initialise(actor=world.school_admin, plan_id=later.pk).auto_passed == 1
    off = build_plan(world, name="不联动")
    actions.initialise(actor=world.school_admin, plan_id=off.pk)
    with pytest.raises(ActionError):
        actions.sync_practice_exits(actor=world.school_admin, plan_id=off.pk)
