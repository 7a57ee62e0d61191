"""Every change of state in leaving-school clearance (C-01…C-08).

Plans and checkpoints are configured by the school's managers; initialisation
materialises the covered students set-based (one ``INSERT … SELECT`` each for the
records, the cases and each first checkpoint's tasks; ``actions._sql.insert_from``).
Checkpoint decisions — single, batch, and the import that comes later — all go
through :func:`pass_tasks`, which is set-based too:

1. lock the affected cases in id order (``SELECT … FOR UPDATE``; two operators
   passing overlapping batches queue behind each other instead of counting twice);
2. one ``UPDATE`` of the tasks that are open (or not passed) at this checkpoint
   in the operator's scope — a checkpoint still waiting for its prerequisites
   has no task, so "prerequisites met" is decided by the rows themselves;
3. one ``INSERT … SELECT`` of timeline events and one audit event for the batch;
4. the counters changed by deltas, in one ``UPDATE`` per change;
5. the next checkpoints' tasks opened where every prerequisite has now passed,
   and the cases whose every checkpoint has passed finished.
"""

from __future__ import annotations

from campusflow.clearance.actions.decisions import (
    BatchResult,
    decide,
    pass_tasks,
    plan_of,
    sync_practice_exits,
)
from campusflow.clearance.actions.issuance import (
    ISSUE_ITEMS,
    IssueResult,
    record_issuance,
)
from campusflow.clearance.actions.plans import (
    AUTO_PASS_REMARK,
    DEPARTMENT_ACTOR,
    DEPARTMENT_HANDLERS,
    DESK_ROLES,
    FAIL,
    ISSUERS,
    OFFICE_ACTOR,
    PASS,
    PLAN_MANAGERS,
    RESULTS,
    SUPERVISOR_ACTOR,
    TASK_BATCH,
    DeskCounters,
    InitResult,
    PlanInput,
    Tally,
    add_checkpoint,
    checkpoints_for,
    counters,
    counters_by_department,
    counters_by_step,
    covered_students,
    create_plan,
    desk_counters,
    handler_choices,
    handler_label,
    handler_of,
    initialise,
    is_department_scoped,
    move_checkpoint,
    range_q,
    rebuild_counters,
    recount,
    remove_checkpoint,
    set_plan_state,
    student_range,
    update_checkpoint,
    update_plan,
)

__all__ = [
    "AUTO_PASS_REMARK",
    "DEPARTMENT_ACTOR",
    "DEPARTMENT_HANDLERS",
    "DESK_ROLES",
    "FAIL",
    "ISSUERS",
    "ISSUE_ITEMS",
    "OFFICE_ACTOR",
    "PASS",
    "PLAN_MANAGERS",
    "RESULTS",
    "SUPERVISOR_ACTOR",
    "TASK_BATCH",
    "BatchResult",
    "DeskCounters",
    "InitResult",
    "IssueResult",
    "PlanInput",
    "Tally",
    "add_checkpoint",
    "checkpoints_for",
    "counters",
    "counters_by_department",
    "counters_by_step",
    "covered_students",
    "create_plan",
    "decide",
    "desk_counters",
    "handler_choices",
    "handler_label",
    "handler_of",
    "initialise",
    "is_department_scoped",
    "move_checkpoint",
    "pass_tasks",
    "plan_of",
    "range_q",
    "rebuild_counters",
    "record_issuance",
    "recount",
    "remove_checkpoint",
    "set_plan_state",
    "student_range",
    "sync_practice_exits",
    "update_checkpoint",
    "update_plan",
]
