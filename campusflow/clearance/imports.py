"""批量导入 at the desk (SPEC C-04, X-01; seed 002 方法二).

An operator uploads 学号 (or 身份证号), 姓名, 办理结果 (通过/未通过), 备注 for *their*
checkpoint. Cells are cleaned by the tabular framework (numeric 学号 cells, lost
precision of a 身份证号, full-width digits); duplicates of the ID in the file are
refused on both rows; every other check is made here, for all rows at once:

- the student must be in the plan and in the operator's scope (one query; 身份证号
  through the blind index);
- 姓名 must be that student's name;
- the checkpoint must be open for the student (else the row names the
  prerequisite checkpoints still missing), and a passed checkpoint cannot become
  未通过;
- 未通过 needs a 备注.

Unlike the other imports (all-or-nothing), the seed's rule holds here: the good
rows are committed together — one :func:`actions.pass_tasks` per result value,
in one transaction — and the bad ones are reported (page + rejected-rows .xlsx).
Rows already in the requested state are 已办理 and skipped, so the same file
imported twice changes nothing. Large files run as the ``clearance.import`` job,
which acts with the role its starter had (``jobs.actions.run_job``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campusflow.accounts.models import User
from campusflow.clearance import actions
from campusflow.clearance.actions.decisions import _missing
from campusflow.clearance.actions.plans import _task_scope_q
from campusflow.clearance.models import ClearancePlan, ClearanceRecord
from campusflow.core import audit
from campusflow.core.crypto import blind_index
from campusflow.core.errors import ActionError
from campusflow.core.uploads import SPREADSHEETS, ValidatedUpload, validate_upload
from campusflow.core.validators import normalize_text
from campusflow.jobs.models import Job
from campusflow.jobs.registry import JobFailure, JobResult, Progress, register
from campusflow.tabular.cells import CellKind, Column
from campusflow.tabular.exporting import timestamped
from campusflow.tabular.importing import ImportReport, ImportSpec, Row, run_import
from campusflow.workflow.models import StepDefinition, Task

LOOKUP_CHUNK = 5000
BY_STUDENT_NO = "student_no"
BY_ID_NUMBER = "id_number"
MATCHES = {BY_STUDENT_NO: gettext_lazy("学号匹配"), BY_ID_NUMBER: gettext_lazy("身份证号匹配")}
NAME_HEADER = "姓名"
RESULT_HEADER = "办理结果"
REMARK_HEADER = "备注"

_COMMON = (
    Column(NAME_HEADER, "name", required=True, example="张思", max_length=50),
    Column(
        RESULT_HEADER,
        "result",
        CellKind.CHOICE,
        required=True,
        example="通过",
        choices={"通过": actions.PASS, "未通过": actions.FAIL, "不通过": actions.FAIL},
    ),
    Column(
        REMARK_HEADER,
        "remark",
        example="",
        max_length=500,
        help=gettext_lazy("办理结果为未通过时必填，说明原因"),
        aliases=("审核记录", "未通过备注"),
    ),
)


class DecisionImport(ImportSpec):
    """One checkpoint's decisions for many students; ``key`` is the ID column chosen by the subclass."""

    sheet_name = "批量办理"
    notes = (
        gettext_lazy("请按环节顺序导入需要办理的数据：前置环节未通过的学生不能办理本环节。"),
        gettext_lazy("导入的数据中学号（身份证号）不能重复，办理结果只能填写通过或未通过。"),
        gettext_lazy("正确的行会全部导入，有错误的行不导入；请下载“未导入的行”，改正后重新导入这些行。"),
        gettext_lazy("本环节已办理的学生会跳过，同一文件重复导入不会重复办理。"),
    )
    id_header: str

    def __init__(self, actor: User, checkpoint: StepDefinition | None = None) -> None:
        super().__init__(actor)
        if checkpoint is None:
            raise PermissionDenied
        self.plan = actions.plan_of(checkpoint)
        assignment = actor.active_role
        if not any(s.pk == checkpoint.pk for s in actions.checkpoints_for(assignment, self.plan)):
            if not ClearancePlan.objects.visible_to(actor).filter(pk=self.plan.pk).exists():
                raise Http404
            raise PermissionDenied
        assert assignment is not None
        self.assignment = assignment
        self.checkpoint = checkpoint
        self.rows: list[Row] = []

    def audit_school(self) -> Any:
        return self.plan.school_id

    def clean_row(self, row: Row, present: set[str]) -> None:
        if row.values.get("result") == actions.FAIL and not row.values.get("remark"):
            row.error(REMARK_HEADER, _("办理结果为未通过时，请填写备注说明原因。"))

    def _records(self, rows: list[Row]) -> dict[str, dict[str, Any]]:
        """The plan's records the rows name, visible to the operator, by the ID as written (one query a chunk)."""
        raise NotImplementedError

    def existing(self, rows: list[Row]) -> dict[tuple[Any, ...], dict[str, Any]]:
        self.rows = rows
        wanted = [row for row in rows if not row.errors]
        found = self._records(wanted)
        case_ids = [r["case_id"] for r in found.values() if r["case_id"]]
        tasks: dict[int, tuple[str, bool]] = {}
        scope = _task_scope_q(self.actor, self.assignment)
        for start in range(0, len(case_ids), LOOKUP_CHUNK):
            chunk = case_ids[start : start + LOOKUP_CHUNK]
            in_scope = set(
                Task.objects.filter(case_id__in=chunk, step=self.checkpoint, round=1)
                .filter(scope)
                .values_list("case_id", flat=True)
            )
            for case_id, state in Task.objects.filter(case_id__in=chunk, step=self.checkpoint, round=1).values_list(
                "case_id", "state"
            ):
                tasks[case_id] = (state, case_id in in_scope)
        waiting = {r["student_id"]: r["case_id"] for r in found.values() if r["case_id"] not in tasks}
        missing = _missing(self.checkpoint, list(self.plan.definition.steps.all()), waiting) if waiting else {}
        current: dict[tuple[Any, ...], dict[str, Any]] = {}
        for row in wanted:
            key = row.key(self.key)
            record = found.get(key[0]) if key else None
            if record is not None and record.get("ambiguous"):
                row.error(self.id_header, _("该身份证号对应本方案中的多名学生，请改用学号匹配。"))
                continue
            if key is None or record is None or not record["case_id"]:
                row.error(self.id_header, _("不在本离校方案中，或不在您的办理范围内。"))
                continue
            if normalize_text(record["name"]).replace(" ", "") != str(row.values["name"]).replace(" ", ""):
                row.error(NAME_HEADER, _("与该%(id)s的学生姓名不一致。") % {"id": self.id_header})
                continue
            row.values["student_id"] = record["student_id"]
            task = tasks.get(record["case_id"])
            if task is None:
                names = "、".join(missing.get(record["student_id"], []))
                row.error(
                    RESULT_HEADER,
                    _("前置环节“%(names)s”尚未通过，暂不能办理本环节。") % {"names": names},
                )
                continue
            state, allowed = task
            if not allowed:
                row.error(self.id_header, _("不在本离校方案中，或不在您的办理范围内。"))
                continue
            result = row.values["result"]
            if state == Task.State.APPROVED:
                if result == actions.FAIL:
                    row.error(RESULT_HEADER, _("本环节已通过，不能改为不通过。"))
                    continue
                current[key] = dict(row.values)  # 已办理: unchanged, skipped
            elif state == Task.State.FAILED and result == actions.FAIL:
                current[key] = dict(row.values)
            elif state in (Task.State.OPEN, Task.State.FAILED):
                current[key] = {**row.values, "result": ""}  # to be decided
            else:
                row.error(RESULT_HEADER, _("本环节当前不能办理。"))
        return current

    def write(self, rows: list[Row], fields: list[str]) -> None:  # pragma: no cover - see commit()
        raise NotImplementedError


class ByStudentNo(DecisionImport):
    kind = "clearance.decisions.student_no"
    title = gettext_lazy("离校环节办理（学号匹配）")
    key = ("student_no",)
    id_header = "学号"
    columns = (
        Column(
            "学号",
            "student_no",
            CellKind.CODE,
            required=True,
            example="2020010101",
            max_length=30,
            aliases=("学号/身份证号",),
        ),
        *_COMMON,
    )

    def _records(self, rows: list[Row]) -> dict[str, dict[str, Any]]:
        numbers = sorted({row.values["student_no"] for row in rows})
        found: dict[str, dict[str, Any]] = {}
        visible = ClearanceRecord.objects.visible_to(self.actor).filter(plan=self.plan)
        for start in range(0, len(numbers), LOOKUP_CHUNK):
            for values in visible.filter(student__student_no__in=numbers[start : start + LOOKUP_CHUNK]).values(
                "student_id", "case_id", no=F("student__student_no"), name=F("student__name")
            ):
                found[values["no"]] = dict(values)
        return found


class ByIdNumber(DecisionImport):
    kind = "clearance.decisions.id_number"
    title = gettext_lazy("离校环节办理（身份证号匹配）")
    key = ("id_number",)
    id_header = "身份证号"
    columns = (
        Column(
            "身份证号",
            "id_number",
            CellKind.ID_NUMBER,
            required=True,
            example="110101199601010001",
            aliases=("学号/身份证号",),
        ),
        *_COMMON,
    )

    def _records(self, rows: list[Row]) -> dict[str, dict[str, Any]]:
        by_index = {blind_index(row.values["id_number"]): row.values["id_number"] for row in rows}
        indexes = sorted(by_index)
        found: dict[str, dict[str, Any]] = {}
        visible = ClearanceRecord.objects.visible_to(self.actor).filter(plan=self.plan)
        for start in range(0, len(indexes), LOOKUP_CHUNK):
            for values in visible.filter(student__id_number_index__in=indexes[start : start + LOOKUP_CHUNK]).values(
                "student_id", "case_id", index=F("student__id_number_index"), name=F("student__name")
            ):
                number = by_index[values["index"]]
                if number in found:  # two students of the plan share it: only 学号 can tell them apart
                    found[number] = {**found[number], "case_id": None, "ambiguous": True}
                else:
                    found[number] = dict(values)
        return found


SPECS: dict[str, type[DecisionImport]] = {BY_STUDENT_NO: ByStudentNo, BY_ID_NUMBER: ByIdNumber}


def spec_for(actor: User, checkpoint: StepDefinition, match: str) -> DecisionImport:
    spec_class = SPECS.get(match)
    if spec_class is None:
        raise Http404
    return spec_class(actor, checkpoint)


@dataclass
class DecisionReport:
    """What a preview found or a commit did: rows to decide, rows skipped (已办理), rows refused."""

    report: ImportReport
    to_pass: int = 0
    to_fail: int = 0
    passed: int = 0
    failed: int = 0
    already: int = 0
    committed: bool = False

    @property
    def error_rows(self) -> int:
        return self.report.error_rows

    @property
    def pending(self) -> int:
        return self.to_pass + self.to_fail

    def summary(self) -> dict[str, Any]:
        mode = _("已导入") if self.committed else _("预览（未写入）")
        return {
            _("结果"): mode,
            _("总行数"): self.report.total,
            _("通过"): self.passed if self.committed else self.to_pass,
            _("未通过"): self.failed if self.committed else self.to_fail,
            _("已办理（跳过）"): self.already,
            _("有错误"): self.report.error_rows,
        }


def run(
    spec: DecisionImport,
    upload: ValidatedUpload,
    *,
    commit: bool,
    progress: Callable[[int, str], None] | None = None,
) -> DecisionReport:
    """Validate every row; on ``commit`` decide the good ones (one ``pass_tasks`` per result) and report the rest."""
    report = run_import(spec, upload, commit=False, progress=progress)
    good = [row for row in spec.rows if not row.errors]
    todo = [row for row in good if row.status == "updated"]
    out = DecisionReport(
        report=report,
        to_pass=sum(1 for row in todo if row.values["result"] == actions.PASS),
        to_fail=sum(1 for row in todo if row.values["result"] == actions.FAIL),
        already=sum(1 for row in good if row.status == "unchanged"),
    )
    if not commit:
        return out
    # One pass_tasks call per result value (and per distinct 备注, which pass_tasks stores on every task it decides).
    groups: dict[tuple[str, str], list[Row]] = {}
    for row in todo:
        groups.setdefault((row.values["result"], row.values.get("remark") or ""), []).append(row)
    late: list[Row] = []
    with transaction.atomic():
        for (result, remark), rows in sorted(groups.items(), key=lambda item: item[0][0] != actions.PASS):
            outcome = actions.pass_tasks(
                actor=spec.actor,
                checkpoint=spec.checkpoint,
                student_ids=[row.values["student_id"] for row in rows],
                result=result,
                remark=remark,
            )
            changed = set(outcome.changed)
            for row in rows:
                sid = row.values["student_id"]
                if sid in changed:
                    if result == actions.PASS:
                        out.passed += 1
                    else:
                        out.failed += 1
                elif sid in outcome.already:
                    out.already += 1
                elif sid in outcome.blocked:
                    names = "、".join(outcome.blocked[sid])
                    row.error(RESULT_HEADER, _("前置环节“%(names)s”尚未通过，暂不能办理本环节。") % {"names": names})
                    late.append(row)
                elif sid in outcome.refused:
                    row.error(RESULT_HEADER, outcome.refused[sid])
                    late.append(row)
                else:
                    row.error(spec.id_header, _("不在本离校方案中，或不在您的办理范围内。"))
                    late.append(row)
        audit.record(
            "clearance.import",
            actor=spec.actor,
            target=spec.plan,
            data={
                "step": spec.checkpoint.key,
                "file": upload.original_name,
                "rows": report.total,
                "passed": out.passed,
                "failed": out.failed,
                "already": out.already,
                "rejected": report.error_rows + len(late),
            },
        )
    for row in late:
        report.error_rows += 1
        report.errors.extend(row.errors)
        report.rejected.append(row)
    report.rejected.sort(key=lambda row: row.number)
    report.errors.sort(key=lambda error: error.row)
    out.committed = report.committed = True
    return out


# -- the background job (files over tabular.importing.BACKGROUND_ROWS rows) ---------------------


def job_params(checkpoint: StepDefinition, match: str, *, commit: bool, rows: int) -> dict[str, Any]:
    return {"step": checkpoint.pk, "match": match, "commit": commit, "rows": rows}


@register("clearance.import", gettext_lazy("离校环节批量导入"))
def import_job(job: Job, progress: Progress) -> JobResult:
    """Runs with the starter's role (set by ``run_job``): the same checks as in a request."""
    checkpoint = StepDefinition.objects.filter(pk=job.params.get("step")).first()
    if checkpoint is None or not job.input_file:
        raise JobFailure(_("环节不存在。"))
    try:
        spec = spec_for(job.created_by, checkpoint, str(job.params.get("match", "")))
    except (Http404, PermissionDenied):
        raise JobFailure(_("您不能办理该环节。")) from None
    with job.input_file.open("rb") as handle:
        data = handle.read()
    try:
        upload = validate_upload(data, allowed=SPREADSHEETS)
        progress.total(int(job.params.get("rows", 0)), _("正在读取文件"))
        outcome = run(
            spec,
            upload,
            commit=bool(job.params.get("commit")),
            progress=lambda done, message: progress.advance(done, message),
        )
    except ActionError as error:
        raise JobFailure(error.message) from None
    result = JobResult(summary=outcome.summary())
    if outcome.error_rows:
        result.file_bytes = outcome.report.rejected_xlsx()
        result.file_name = timestamped(_("未导入的行"))
    if outcome.committed:
        result.message = _("导入完成：通过 %(p)s 人，未通过 %(f)s 人，已办理（跳过）%(a)s 人，有错误 %(e)s 行。") % {
            "p": outcome.passed,
            "f": outcome.failed,
            "a": outcome.already,
            "e": outcome.error_rows,
        }
    else:
        result.message = _("预览完成：将办理 %(n)s 人，已办理（跳过）%(a)s 人，有错误 %(e)s 行。") % {
            "n": outcome.pending,
            "a": outcome.already,
            "e": outcome.error_rows,
        }
    return result
