"""C-02 单个办理, C-03 批量办理, C-05 counters, and who may act where."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from campusflow.clearance import actions
from campusflow.clearance.models import ClearanceCounter, ClearanceRecord
from campusflow.clearance.tests.conftest import Setup, add_students
from campusflow.core.errors import ActionError
from campusflow.core.models import AuditEvent
from campusflow.core.testing import client_for
from campusflow.orgs.models import Student
from campusflow.workflow.models import Case, CaseEvent, Task

pytestmark = pytest.mark.django_db


def token(page: str) -> str:
    found = re.search(r'name="_once" value="([^"]+)"', page)
    assert found
    return found.group(1)


def tally(s: Setup, name: str, department: object = None) -> tuple[int, int, int, int]:
    t = actions.counters(s.plan, s.step(name), department_id=getattr(department, "pk", None))
    return t.expected, t.passed, t.pending, t.failed


@pytest.mark.spec("C-02")
def test_single_pass_opens_the_next_checkpoint(active: Setup) -> None:
    s, w = active, active.world
    cs = w.students["cs"]
    actions.decide(actor=w.library_operator, checkpoint=s.step("图书馆"), student_id=cs.pk, result="pass")
    task = Task.objects.get(case__student=cs, step=s.step("图书馆"))
    assert task.state == Task.State.APPROVED and task.acted_by == w.library_operator
    assert Task.objects.get(case__student=cs, step=s.step("财务清算")).state == Task.State.OPEN
    assert tally(s, "图书馆") == (2, 1, 1, 0)
    assert CaseEvent.objects.filter(case__student=cs, kind=CaseEvent.Kind.APPROVED, step_name="图书馆").count() == 1
    with pytest.raises(ActionError, match="已办理"):
        actions.decide(actor=w.library_operator, checkpoint=s.step("图书馆"), student_id=cs.pk, result="pass")


@pytest.mark.spec("C-02")
def test_prerequisites_must_pass_first(active: Setup) -> None:
    s, w = active, active.world
    cs = w.students["cs"]
    with pytest.raises(ActionError, match="“图书馆”尚未通过"):
        actions.decide(actor=s.finance_operator, checkpoint=s.step("财务清算"), student_id=cs.pk, result="pass")
    with pytest.raises(ActionError, match="“导师审核”尚未通过"):
        actions.decide(actor=s.dsa_cs, checkpoint=s.step("培养单位学工审核"), student_id=cs.pk, result="pass")
    assert tally(s, "财务清算") == (2, 0, 2, 0)


@pytest.mark.spec("C-02", "C-05")
def test_fail_needs_a_remark_and_can_later_pass(active: Setup) -> None:
    s, w = active, active.world
    cs, lib = w.students["cs"], active.step("图书馆")
    with pytest.raises(ActionError, match="备注"):
        actions.decide(actor=w.library_operator, checkpoint=lib, student_id=cs.pk, result="fail")
    actions.decide(actor=w.library_operator, checkpoint=lib, student_id=cs.pk, result="fail", remark="欠书2本")
    assert tally(s, "图书馆") == (2, 0, 1, 1)
    assert Task.objects.get(case__student=cs, step=lib).opinion == "欠书2本"
    assert not Task.objects.filter(case__student=cs, step=s.step("财务清算")).exists()
    actions.decide(actor=w.library_operator, checkpoint=lib, student_id=cs.pk, result="pass", remark="已还")
    assert tally(s, "图书馆") == (2, 1, 1, 0)
    with pytest.raises(ActionError, match="不能改为不通过"):
        actions.decide(actor=w.library_operator, checkpoint=lib, student_id=cs.pk, result="fail", remark="x")


@pytest.mark.spec("C-03", "C-05", "S-08")
def test_batch_pass_skips_the_already_passed(active: Setup) -> None:
    s, w = active, active.world
    extra = add_students(w, 5, w.me, start=700)
    actions.initialise(actor=w.school_admin, plan_id=s.plan.pk)
    lib = s.step("图书馆")
    ids = [w.students["cs"].pk, w.students["me"].pk] + [x.pk for x in extra]
    first = actions.pass_tasks(actor=w.library_operator, checkpoint=lib, student_ids=ids[:3], remark="批量")
    assert len(first.changed) == 3 and first.opened == 3
    second = actions.pass_tasks(actor=w.library_operator, checkpoint=lib, student_ids=[*ids, w.students["b"].pk, 0])
    assert len(second.changed) == 4 and len(second.already) == 3 and second.not_found == [w.students["b"].pk, 0]
    assert "已办理 3 人（跳过）" in second.summary()
    assert tally(s, "图书馆") == (7, 7, 0, 0)
    assert Task.objects.filter(step=s.step("财务清算"), state=Task.State.OPEN).count() == 7
    assert AuditEvent.objects.filter(action="clearance.decide").count() == 2
    assert CaseEvent.objects.filter(step_name="图书馆", kind=CaseEvent.Kind.APPROVED).count() == 7


@pytest.mark.spec("C-03")
def test_batch_decisions_are_set_based(active: Setup) -> None:
    s, w = active, active.world
    extra = add_students(w, 200, w.cs, start=900)
    actions.initialise(actor=w.school_admin, plan_id=s.plan.pk)
    lib = s.step("图书馆")
    actions.pass_tasks(actor=w.library_operator, checkpoint=lib, student_ids=[extra[0].pk])  # warm the caches
    with CaptureQueriesContext(connection) as few:
        actions.pass_tasks(actor=w.library_operator, checkpoint=lib, student_ids=[x.pk for x in extra[1:6]])
    with CaptureQueriesContext(connection) as many:
        actions.pass_tasks(actor=w.library_operator, checkpoint=lib, student_ids=[x.pk for x in extra[6:]])
    assert len(few.captured_queries) == len(many.captured_queries)


@pytest.mark.spec("C-02", "C-03", "C-05")
def test_a_student_clears_every_checkpoint(active: Setup) -> None:
    s, w = active, active.world
    cs = w.students["cs"]
    actions.pass_tasks(actor=w.supervisor_cs, checkpoint=s.step("导师审核"), student_ids=[cs.pk])
    actions.pass_tasks(actor=s.dsa_cs, checkpoint=s.step("培养单位学工审核"), student_ids=[cs.pk])
    actions.pass_tasks(actor=w.library_operator, checkpoint=s.step("图书馆"), student_ids=[cs.pk])
    record = ClearanceRecord.objects.get(student=cs)
    assert record.cleared_at is None
    result = actions.pass_tasks(actor=s.finance_operator, checkpoint=s.step("财务清算"), student_ids=[cs.pk])
    assert result.cleared == 1
    record.refresh_from_db()
    assert record.cleared_at is not None and record.case and record.case.state == Case.State.APPROVED
    assert CaseEvent.objects.filter(case=record.case, kind=CaseEvent.Kind.COMPLETED).count() == 1


@pytest.mark.spec("C-02", "P-04")
def test_scoping(active: Setup) -> None:
    s, w = active, active.world
    cs, me = w.students["cs"], w.students["me"]
    actions.pass_tasks(actor=w.supervisor_cs, checkpoint=s.step("导师审核"), student_ids=[cs.pk])
    dept_step = s.step("培养单位学工审核")
    # another college's student-affairs group: the student does not exist for them
    with pytest.raises(Http404):
        actions.decide(actor=s.dsa_me, checkpoint=dept_step, student_id=cs.pk, result="pass")
    # another college's supervisor cannot pass this student's 导师审核 either
    with pytest.raises(Http404):
        actions.decide(actor=w.supervisor_me, checkpoint=s.step("导师审核"), student_id=cs.pk, result="pass")
    # wrong role for the checkpoint
    with pytest.raises(PermissionDenied):
        actions.decide(actor=w.library_operator, checkpoint=dept_step, student_id=me.pk, result="pass")
    # another school
    with pytest.raises(Http404):
        actions.decide(actor=w.school_admin_b, checkpoint=dept_step, student_id=cs.pk, result="pass")
    # the office operator sees the whole school
    actions.decide(actor=w.library_operator, checkpoint=s.step("图书馆"), student_id=me.pk, result="pass")
    # pages: another college's operator gets 404 on the student, another school no plan, a wrong role 403
    page = client_for(s.dsa_me).get(f"/clearance/desk/?plan={s.plan.pk}&step={dept_step.key}&student={cs.pk}")
    assert page.status_code == 200 and "student-card" not in page.content.decode()
    assert client_for(s.dsa_me).post(
        "/clearance/desk/decide/", {"plan": s.plan.pk, "step": dept_step.key}
    ).status_code in (302, 404)
    assert client_for(w.school_admin_b).get("/clearance/desk/").status_code == 403
    assert client_for(w.student_cs).get("/clearance/desk/").status_code == 403
    assert client_for(w.dean_cs).get("/clearance/desk/batch/").status_code == 403


@pytest.mark.spec("C-02", "C-05", "S-10")
def test_desk_page_single(active: Setup) -> None:
    s, w = active, active.world
    cs = w.students["cs"]
    client = client_for(w.library_operator)
    page = client.get(f"/clearance/desk/?q={cs.student_no}").content.decode()
    assert 'data-testid="student-card"' in page and cs.name in page
    assert cs.id_number not in page and cs.id_number[-4:] in page  # masked
    assert "学生公寓3号楼201" not in page  # dormitory masked until revealed
    assert 'hx-get="/clearance/desk/counters/' in page and "<script" not in page.split("</head>")[1]
    # by ID number: POST only
    found = client.post("/clearance/desk/", {"id_number": cs.id_number}).content.decode()
    assert 'data-testid="student-card"' in found
    assert client.get(f"/clearance/desk/?id_number={cs.id_number}").content.decode().count("student-card") == 0
    revealed = client.post("/clearance/desk/", {"student": cs.pk, "reveal": "1"}).content.decode()
    assert "学生公寓3号楼201" in revealed
    # decide through the page
    response = client.post(
        "/clearance/desk/decide/",
        {"_once": token(page), "plan": s.plan.pk, "step": s.step("图书馆").key, "student": cs.pk, "result": "pass"},
    )
    assert response.status_code == 302
    assert Task.objects.get(case__student=cs, step=s.step("图书馆")).state == Task.State.APPROVED
    fragment = client.get(f"/clearance/desk/counters/?plan={s.plan.pk}&step={s.step('图书馆').key}").content.decode()
    assert 'data-testid="count-passed">1<' in fragment and 'data-testid="count-pending">1<' in fragment


@pytest.mark.spec("C-03")
def test_desk_page_batch(active: Setup) -> None:
    s, w = active, active.world
    client = client_for(w.library_operator)
    page = client.get("/clearance/desk/batch/").content.decode()
    assert page.count('data-testid="batch-row"') == 2
    lib = s.step("图书馆")
    response = client.post(
        "/clearance/desk/batch/decide/",
        {
            "_once": token(page),
            "plan": s.plan.pk,
            "step": lib.key,
            "students": [w.students["cs"].pk, w.students["me"].pk],
            "result": "pass",
            "remark": "批量通过",
        },
    )
    assert response.status_code == 302
    assert Task.objects.filter(step=lib, state=Task.State.APPROVED).count() == 2
    listed = client.get(f"/clearance/desk/batch/?status=passed&name={w.students['me'].name}").content.decode()
    assert listed.count('data-testid="batch-row"') == 1
    assert ClearanceCounter.objects.filter(plan=s.plan, step=lib).values_list("passed", flat=True).count() == 2
    # a college operator's list holds only their college
    own = client_for(s.dsa_cs).get(f"/clearance/desk/batch/?step={s.step('培养单位学工审核').key}").content.decode()
    assert own.count('data-testid="batch-row"') == 1 and w.students["me"].name not in own


@pytest.mark.spec("C-03")
def test_desk_batch_rows_are_escaped(active: Setup) -> None:
    s, w = active, active.world
    Student.objects.filter(pk=w.students["cs"].pk).update(name='<b>王</b>"x', major="<script>1</script>")
    lib = s.step("图书馆")
    actions.pass_tasks(
        actor=w.library_operator, checkpoint=lib, student_ids=[w.students["cs"].pk], result="fail", remark="<i>书</i>"
    )
    page = client_for(w.library_operator).get("/clearance/desk/batch/").content.decode()
    assert "<script>1" not in page and "<b>王" not in page and "<i>书" not in page
    assert "&lt;b&gt;王&lt;/b&gt;&quot;x" in page and "&lt;script&gt;1&lt;/script&gt;" in page
    assert "&lt;i&gt;书&lt;/i&gt;" in page and 'data-status="failed"' in page
