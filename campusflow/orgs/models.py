"""The organisation tree (P-01) and the people in it (P-02)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campusflow.core.fields import BlindIndexField, EncryptedCharField
from campusflow.core.roles import Role
from campusflow.core.scoping import Scope, ScopedQuerySet
from campusflow.core.validators import normalize_id_number


class OrgUnit(models.Model):
    """Province (教育厅) → school (学校) → departments (院系) and offices (职能部门)."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("省级（教育厅）")
        SCHOOL = "school", _("学校")
        DEPARTMENT = "department", _("二级院系")
        OFFICE = "office", _("职能部门")

    class OfficeType(models.TextChoices):
        NONE = "", _("—")
        GRADUATE_SCHOOL = "graduate_school", _("研究生院")
        STUDENT_AFFAIRS = "student_affairs", _("学工处")
        ACADEMIC_AFFAIRS = "academic_affairs", _("教务处")
        LIBRARY = "library", _("图书馆")
        FINANCE = "finance", _("财务处")
        HOSPITAL = "hospital", _("校医院")
        LABS = "labs", _("实验室与设备管理处")
        KEY_LAB = "key_lab", _("国家重点实验室")
        OTHER = "other", _("其他")

    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    office_type = models.CharField(_("部门类别"), max_length=20, choices=OfficeType.choices, blank=True, default="")
    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("代码"), max_length=20, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # The school a unit belongs to (itself for a school, empty for a province),
    # kept so that scoping is one join, not a walk up the tree.
    school = models.ForeignKey(
        "self", verbose_name=_("所属学校"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scoping = Scope(school="school", department="id", department_sees_school=True)

    class Meta:
        verbose_name = _("组织单位")
        verbose_name_plural = _("组织单位")
        ordering = ["sort_order", "code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="orgunit_unique_name_under_parent"),
            models.UniqueConstraint(
                fields=["school", "code"], condition=~models.Q(code=""), name="orgunit_unique_code_in_school"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_school(self) -> bool:
        return self.kind == self.Kind.SCHOOL


class PersonQuerySet(ScopedQuerySet):
    pass


class Student(models.Model):
    """A student with every field of SPEC P-02."""

    class Gender(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    class Category(models.TextChoices):
        ACADEMIC_MASTER = "academic_master", _("学历硕士")
        ACADEMIC_DOCTOR = "academic_doctor", _("学历博士")
        PROFESSIONAL_MASTER = "professional_master", _("专业学位硕士")
        PROFESSIONAL_DOCTOR = "professional_doctor", _("专业学位博士")
        EQUIVALENT = "equivalent", _("同等学力")
        UNDERGRADUATE = "undergraduate", _("本科生")
        VOCATIONAL = "vocational", _("高职")

    class Certificate(models.TextChoices):
        """单证 (degree certificate only) / 双证 (diploma and degree), seed 002's student ranges."""

        NONE = "", _("—")
        SINGLE = "single", _("单证")
        DOUBLE = "double", _("双证")

    class Level(models.TextChoices):
        DOCTOR = "doctor", _("博士")
        MASTER = "master", _("硕士")
        BACHELOR = "bachelor", _("本科")
        ASSOCIATE = "associate", _("专科（高职）")

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("在读")
        SUSPENDED = "suspended", _("休学")
        GRADUATED = "graduated", _("毕业")
        WITHDRAWN = "withdrawn", _("退学")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="student_profile",
    )
    school = models.ForeignKey(OrgUnit, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(OrgUnit, verbose_name=_("院系"), on_delete=models.PROTECT, related_name="students")
    student_no = models.CharField(_("学号"), max_length=32)
    candidate_no = models.CharField(_("考生号"), max_length=32, blank=True)
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    id_number = EncryptedCharField(_("身份证号"), blank=True)
    id_number_index = BlindIndexField(source="id_number", normalizer=normalize_id_number)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    major = models.CharField(_("专业"), max_length=100, blank=True)
    class_name = models.CharField(_("班级"), max_length=50, blank=True)
    grade = models.PositiveSmallIntegerField(_("年级"), null=True, blank=True)
    category = models.CharField(_("学生类别"), max_length=24, choices=Category.choices)
    certificate = models.CharField(_("单证/双证"), max_length=8, choices=Certificate.choices, blank=True, default="")
    level = models.CharField(_("培养层次"), max_length=12, choices=Level.choices)
    phone = EncryptedCharField(_("电话"), blank=True)
    father_name = models.CharField(_("父亲姓名"), max_length=50, blank=True)
    father_phone = EncryptedCharField(_("父亲电话"), blank=True)
    mother_name = models.CharField(_("母亲姓名"), max_length=50, blank=True)
    mother_phone = EncryptedCharField(_("母亲电话"), blank=True)
    household_transfer = models.CharField(_("户口迁移"), max_length=100, blank=True)
    accommodation = EncryptedCharField(_("住宿信息"), blank=True)
    status = models.CharField(_("学籍状态"), max_length=12, choices=Status.choices, default=Status.ENROLLED)
    supervisor = models.ForeignKey(
        "Teacher",
        verbose_name=_("校内导师"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="students",
    )
    enterprise_mentor = models.ForeignKey(
        "EnterpriseMentor",
        verbose_name=_("企业导师"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="students",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = PersonQuerySet.as_manager()
    scoping = Scope(
        school="school",
        department="department",
        personal={
            Role.STUDENT: "user",
            Role.SUPERVISOR: "supervisor__user",
            Role.ENTERPRISE_MENTOR: "enterprise_mentor__user",
        },
    )

    class Meta:
        verbose_name = _("学生")
        verbose_name_plural = _("学生")
        ordering = ["student_no"]
        constraints = [models.UniqueConstraint(fields=["school", "student_no"], name="student_unique_no_in_school")]
        indexes = [
            models.Index(fields=["school", "department", "grade"]),
            models.Index(fields=["name"]),
            # The list's order over a province (school_id spans 300 schools): the first page of
            # a filtered list walks this index instead of sorting every matching student.
            models.Index(fields=["student_no"], name="orgs_student_no_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.student_no} {self.name}"

    @property
    def age(self) -> int | None:
        if self.birth_date is None:
            return None
        today = timezone.localdate()
        born = self.birth_date
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class Teacher(models.Model):
    """A school teacher (工号, 职称, 院系); supervisors are teachers with ``is_supervisor``."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="teacher_profile",
    )
    school = models.ForeignKey(OrgUnit, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(OrgUnit, verbose_name=_("院系"), on_delete=models.PROTECT, related_name="teachers")
    staff_no = models.CharField(_("工号"), max_length=32)
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Student.Gender.choices, blank=True)
    title = models.CharField(_("职称"), max_length=50, blank=True)
    phone = EncryptedCharField(_("手机号码"), blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    is_supervisor = models.BooleanField(_("研究生导师"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = PersonQuerySet.as_manager()
    scoping = Scope(
        school="school",
        department="department",
        personal={Role.SUPERVISOR: "user", Role.STUDENT: "students__user"},
    )

    class Meta:
        verbose_name = _("教师")
        verbose_name_plural = _("教师")
        ordering = ["staff_no"]
        constraints = [models.UniqueConstraint(fields=["school", "staff_no"], name="teacher_unique_no_in_school")]

    def __str__(self) -> str:
        return f"{self.staff_no} {self.name}"


class EnterpriseMentor(models.Model):
    """An enterprise mentor with every column of seed 000's mentor table."""

    class Education(models.TextChoices):
        DOCTORAL = "doctoral", _("博士研究生")
        MASTERS = "masters", _("硕士研究生")
        UNDERGRADUATE = "undergraduate", _("大学本科")
        JUNIOR = "junior", _("大学专科")
        OTHER = "other", _("其他")

    class Degree(models.TextChoices):
        DOCTOR = "doctor", _("博士")
        MASTER = "master", _("硕士")
        BACHELOR = "bachelor", _("学士")
        NONE = "none", _("无")

    class TitleLevel(models.TextChoices):
        SENIOR = "senior", _("正高")
        ASSOCIATE_SENIOR = "associate_senior", _("副高")
        INTERMEDIATE = "intermediate", _("中级")
        JUNIOR = "junior", _("初级")
        NONE = "none", _("无")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mentor_profile",
    )
    school = models.ForeignKey(OrgUnit, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+")
    mentor_no = models.CharField(_("企业导师编号"), max_length=32)
    enterprise_name = models.CharField(_("所在单位"), max_length=200)
    enrollment_category = models.CharField(_("招生专业类别"), max_length=100, blank=True)
    enrollment_field = models.CharField(_("招生专业领域"), max_length=100, blank=True)
    enrollment_direction = models.CharField(_("招生专业方向"), max_length=100, blank=True)
    enrollment_specific_direction = models.CharField(_("招生具体方向"), max_length=100, blank=True)
    name = models.CharField(_("企业导师姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Student.Gender.choices)
    birth_month = models.DateField(_("出生年月"), null=True, blank=True)
    department_name = models.CharField(_("部门"), max_length=100, blank=True)
    education = models.CharField(_("学历"), max_length=16, choices=Education.choices, blank=True)
    degree = models.CharField(_("学位"), max_length=16, choices=Degree.choices, blank=True)
    professional_title = models.CharField(_("专业技术职称"), max_length=20, choices=TitleLevel.choices, blank=True)
    position = models.CharField(_("职务"), max_length=50, blank=True)
    phone = EncryptedCharField(_("手机号码"), blank=True)
    partner_supervisor = models.ForeignKey(
        Teacher,
        verbose_name=_("合作校内导师"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="partner_mentors",
    )
    willing_first_supervisor = models.BooleanField(_("是否愿意以第一导师身份招收、培养研究生"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = PersonQuerySet.as_manager()
    scoping = Scope(
        school="school",
        department="students__department",
        personal={
            Role.ENTERPRISE_MENTOR: "user",
            Role.SUPERVISOR: "partner_supervisor__user",
            Role.STUDENT: "students__user",
        },
    )

    class Meta:
        verbose_name = _("企业导师")
        verbose_name_plural = _("企业导师")
        ordering = ["mentor_no"]
        constraints = [models.UniqueConstraint(fields=["school", "mentor_no"], name="mentor_unique_no_in_school")]

    def __str__(self) -> str:
        return f"{self.name}（{self.enterprise_name}）"


def commitment_letter_path(instance: CommitmentLetter, filename: str) -> str:
    # The stored name is random (S-06); the original name is kept in the row.
    # ``filename`` comes from core.uploads (``upload.<checked type>``), never from the user.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"commitments/{instance.year}/{secrets.token_hex(16)}.{extension}"


class CommitmentLetter(models.Model):
    """P-08: the school's signed yearly 《规范校企合作办学和学生实习管理承诺书》."""

    school = models.ForeignKey(OrgUnit, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    file = models.FileField(_("承诺书文件"), upload_to=commitment_letter_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    is_current = models.BooleanField(_("当前有效"), default=True)

    objects = ScopedQuerySet.as_manager()
    scoping = Scope(school="school", department_sees_school=True)

    class Meta:
        verbose_name = _("年度承诺书")
        verbose_name_plural = _("年度承诺书")
        ordering = ["-year", "-uploaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "year"], condition=models.Q(is_current=True), name="commitment_one_current_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.original_name}"
