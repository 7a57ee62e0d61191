"""The chains of seed 000, seeded as definitions (W-01). Admins edit them later as new versions."""

from typing import Any

from django.db import migrations

DEFINITIONS: list[dict[str, Any]] = [
    {
        "code": "practice.leave_school",
        "name": "专业实践离校申请",
        "description": "学生→学校导师→教学秘书（种子000：离校申请）。京外工作站须上传行程附件。",
        "steps": [
            {
                "key": "supervisor",
                "name": "学校导师审核",
                "actor": "school_supervisor",
                "due_days": 3,
                "escalate_actor": "department_role",
                "escalate_argument": "teaching_secretary",
            },
            {
                "key": "secretary",
                "name": "教学秘书审核",
                "actor": "department_role",
                "actor_argument": "teaching_secretary",
                "prerequisites": ["supervisor"],
                "due_days": 3,
                "escalate_actor": "department_role",
                "escalate_argument": "teaching_dean",
            },
        ],
    },
    {
        "code": "practice.leave_request",
        "name": "实践过程请假",
        "description": "学生→企业导师→学校导师→教学院长→学工处研究生工作部（一周以上）（种子000）。",
        "steps": [
            {
                "key": "mentor",
                "name": "企业导师审核",
                "actor": "enterprise_mentor",
                "due_days": 2,
                "escalate_actor": "school_supervisor",
            },
            {
                "key": "supervisor",
                "name": "学校导师审核",
                "actor": "school_supervisor",
                "prerequisites": ["mentor"],
                "due_days": 2,
                "escalate_actor": "department_role",
                "escalate_argument": "teaching_dean",
            },
            {
                "key": "dean",
                "name": "教学院长审核",
                "actor": "department_role",
                "actor_argument": "teaching_dean",
                "prerequisites": ["supervisor"],
                "due_days": 3,
            },
            {
                "key": "student_affairs",
                "name": "学工处研究生工作部审核",
                "actor": "school_role",
                "actor_argument": "student_affairs_office",
                "prerequisites": ["dean"],
                "due_days": 3,
                "condition": "leave_days_over",
                "condition_argument": "7",
            },
        ],
    },
]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    ProcessDefinition = apps.get_model("workflow", "ProcessDefinition")
    StepDefinition = apps.get_model("workflow", "StepDefinition")
    for spec in DEFINITIONS:
        if ProcessDefinition.objects.filter(code=spec["code"]).exists():
            continue
        definition = ProcessDefinition.objects.create(
            code=spec["code"], version=1, name=spec["name"], description=spec["description"], is_current=True
        )
        for order, step in enumerate(spec["steps"], start=1):
            StepDefinition.objects.create(
                definition=definition,
                order=order,
                key=step["key"],
                name=step["name"],
                actor=step["actor"],
                actor_argument=step.get("actor_argument", ""),
                prerequisites=step.get("prerequisites", []),
                condition=step.get("condition", ""),
                condition_argument=step.get("condition_argument", ""),
                due_days=step.get("due_days"),
                escalate_actor=step.get("escalate_actor", ""),
                escalate_argument=step.get("escalate_argument", ""),
                form_fields=[],
            )


def unseed(apps, schema_editor):  # type: ignore[no-untyped-def]
    ProcessDefinition = apps.get_model("workflow", "ProcessDefinition")
    ProcessDefinition.objects.filter(code__in=[d["code"] for d in DEFINITIONS], version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("workflow", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
