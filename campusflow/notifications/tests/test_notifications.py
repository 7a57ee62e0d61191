"""W-06 messages: written in the caller's transaction, delivered after commit, read by their owner only."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path

from campusflow.accounts.models import User
from campusflow.accounts.sms import SmsDeliveryError, SmsSender
from campusflow.core.access import signed_in
from campusflow.core.errors import ActionError
from campusflow.core.testing import World, client_for, valid_id_number
from campusflow.notifications import actions, tasks
from campusflow.notifications.actions import notify
from campusflow.notifications.models import Delivery, Notification

pytestmark = pytest.mark.spec("W-06", "X-08")


def _with_contacts(user: User, *, email: str = "person@example.edu.cn", phone: str = "13912345678") -> User:
    user.email = email
    user.phone = phone
    user.save(update_fields=["email", "phone", "phone_index"])
    return user


class RaisingSmsSender(SmsSender):
    def send(self, phone: str, message: str) -> None:
        raise SmsDeliveryError(f"gateway refused {phone}")


# -- notify: rows now, delivery after commit --------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_notify_writes_rows_and_delivers_only_after_commit(world: World, sms_outbox: list[tuple[str, str]]) -> None:
    student = _with_contacts(world.student_cs)
    with transaction.atomic():
        created = notify(
            recipients=[student, world.supervisor_cs, student],
            title="实践计划待您审核",
            body="王小明提交了实践计划。",
            url="/workflow/tasks/1/",
            kind=Notification.Kind.WORKFLOW_TASK,
            email=True,
            sms=True,
        )
        # given an open transaction, then nothing has left the building yet
        assert len(created) == 2
        assert mail.outbox == [] and sms_outbox == []

    assert Notification.objects.count() == 2
    assert [m.to for m in mail.outbox] == [["person@example.edu.cn"]]
    assert mail.outbox[0].subject == "【campusflow】实践计划待您审核"
    assert sms_outbox == [("13912345678", "【campusflow】实践计划待您审核")]
    mine = Notification.objects.get(recipient=student)
    assert (mine.email_status, mine.sms_status) == (Delivery.SENT, Delivery.SENT)
    # the supervisor has neither e-mail nor phone: recorded, not raised
    theirs = Notification.objects.get(recipient=world.supervisor_cs)
    assert (theirs.email_status, theirs.sms_status) == (Delivery.FAILED, Delivery.FAILED)
    assert theirs.email_error == "no e-mail address"


@pytest.mark.django_db(transaction=True)
def test_rolled_back_change_sends_nothing(world: World, sms_outbox: list[tuple[str, str]]) -> None:
    student = _with_contacts(world.student_cs)
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipients=[student], title="不会发出", email=True, sms=True)
        raise RuntimeError("the calling action failed")
    assert Notification.objects.count() == 0
    assert mail.outbox == [] and sms_outbox == []


def test_in_app_only_queues_no_delivery(world: World, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        notify(recipients=[world.student_cs], title="系统维护通知")
    assert callbacks == []
    n = Notification.objects.get()
    assert (n.email_status, n.sms_status) == (Delivery.NOT_REQUESTED, Delivery.NOT_REQUESTED)


def test_notify_is_one_insert(world: World, django_assert_num_queries: Any) -> None:
    people = [world.student_cs, world.student_me, world.supervisor_cs, world.secretary_cs]
    with django_assert_num_queries(1):
        notify(recipients=people, title="批量通知")
    assert Notification.objects.count() == 4


@pytest.mark.parametrize(
    "url", ["https://evil.example.com/", "//evil.example.com/x", "/\\evil.example.com", "javascript:alert(1)", "x/y"]
)
def test_external_url_is_rejected(world: World, url: str) -> None:
    with pytest.raises(ActionError) as refused:
        notify(recipients=[world.student_cs], title="链接", url=url)
    assert refused.value.field == "url"
    assert Notification.objects.count() == 0


# -- delivery failures ---------------------------------------------------------------------


def test_sms_failure_is_recorded_without_the_phone(
    world: World, settings: Any, django_capture_on_commit_callbacks: Any, caplog: Any
) -> None:
    settings.SMS_SENDER = f"{__name__}.RaisingSmsSender"
    student = _with_contacts(world.student_cs)
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[student], title="到期提醒", sms=True)
    n = Notification.objects.get()
    assert n.sms_status == Delivery.FAILED
    assert n.sms_error.startswith("SmsDeliveryError")
    assert "13912345678" not in n.sms_error and "139****5678" in n.sms_error
    assert "13912345678" not in caplog.text


def test_email_failure_is_recorded(
    world: World, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("SMTP server unreachable")

    monkeypatch.setattr(tasks, "send_mail", broken)
    student = _with_contacts(world.student_cs)
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[student], title="到期提醒", email=True, sms=True)
    n = Notification.objects.get()
    assert (n.email_status, n.email_error) == (Delivery.FAILED, "OSError: SMTP server unreachable")
    assert n.sms_status == Delivery.SENT  # one channel failing does not stop the other


@signed_in
def _acting_view(request: HttpRequest) -> HttpResponse:
    with transaction.atomic():
        notify(recipients=[request.user], title="操作完成", email=True, sms=True)  # type: ignore[list-item]
    return HttpResponse("done")


urlpatterns = [path("act/", _acting_view)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.urls(__name__)
def test_failing_sender_does_not_break_the_request(world: World, settings: Any) -> None:
    settings.SMS_SENDER = f"{__name__}.RaisingSmsSender"
    student = _with_contacts(world.student_cs)
    response = client_for(student).get("/act/")
    assert response.status_code == 200
    n = Notification.objects.get()
    assert (n.email_status, n.sms_status) == (Delivery.SENT, Delivery.FAILED)


def test_delivery_runs_once_per_channel(world: World, sms_outbox: list[tuple[str, str]]) -> None:
    """A job run twice (a retry, a restarted worker) sends nothing twice."""
    student = _with_contacts(world.student_cs)
    n = notify(recipients=[student], title="只发一次", sms=True)[0]
    tasks.deliver.call([n.pk])
    tasks.deliver.call([n.pk])
    assert len(sms_outbox) == 1


def test_sms_carries_no_id_number_or_body(world: World, sms_outbox: list[tuple[str, str]]) -> None:
    id_number = valid_id_number()
    student = _with_contacts(world.student_cs)
    n = notify(
        recipients=[student],
        title=f"学生 王小明（{id_number}）的材料已退回",
        body=f"身份证号 {id_number}，手机 13800138000",
        sms=True,
        email=True,
    )[0]
    tasks.deliver.call([n.pk])
    ((_phone, text),) = sms_outbox
    assert text.startswith("【campusflow】")
    assert id_number not in text and id_number[:6] not in text
    assert "13800138000" not in text and "手机" not in text  # the body never goes by SMS
    assert id_number not in mail.outbox[0].body and "13800138000" not in mail.outbox[0].body


# -- the bell and the list -------------------------------------------------------------------


def test_bell_shows_the_unread_count(world: World) -> None:
    client = client_for(world.student_cs)
    page = client.get("/").content.decode()
    assert 'data-testid="bell"' in page and 'data-testid="bell-count"' not in page
    notify(recipients=[world.student_cs], title="一")
    notify(recipients=[world.student_cs], title="二")
    notify(recipients=[world.student_me], title="别人的")
    response = client.get("/")
    assert response.context["unread_notifications"] == 2
    assert 'data-testid="bell-count">2<' in response.content.decode()


def test_bell_count_caps_at_99(world: World) -> None:
    for _ in range(3):
        notify(recipients=[world.student_cs], title="x")
    Notification.objects.bulk_create(Notification(recipient=world.student_cs, title="y") for _ in range(100))
    assert client_for(world.student_cs).get("/").context["unread_notifications_label"] == "99+"


def test_list_shows_only_my_messages_unread_first(world: World) -> None:
    notify(recipients=[world.student_cs], title="较早的消息")
    notify(recipients=[world.student_cs], title="较新的消息")
    notify(recipients=[world.student_me], title="别人的消息")
    actions.mark_read(actor=world.student_cs, notification_id=notify(recipients=[world.student_cs], title="已读")[0].pk)
    client = client_for(world.student_cs)
    titles = [n.title for n in client.get("/notifications/").context["page_obj"]]
    assert titles == ["较新的消息", "较早的消息", "已读"]
    unread = [n.title for n in client.get("/notifications/?show=unread").context["page_obj"]]
    assert unread == ["较新的消息", "较早的消息"]


def test_list_paginates(world: World) -> None:
    Notification.objects.bulk_create(Notification(recipient=world.student_cs, title=f"m{i}") for i in range(25))
    client = client_for(world.student_cs)
    assert len(client.get("/notifications/").context["page_obj"]) == 20
    assert len(client.get("/notifications/?page=2").context["page_obj"]) == 5


def test_opening_marks_read_and_follows_the_internal_link(world: World) -> None:
    n = notify(recipients=[world.student_cs], title="去看看", url="/org/students/")[0]
    client = client_for(world.student_cs)
    response = client.post(f"/notifications/{n.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/org/students/"
    n.refresh_from_db()
    assert n.read_at is not None
    assert client.get(f"/notifications/{n.pk}/open/").status_code == 405


def test_opening_without_a_link_or_with_a_bad_stored_link_stays_on_the_list(world: World) -> None:
    plain = notify(recipients=[world.student_cs], title="无链接")[0]
    # A row written around the action's check still never redirects outside.
    forged = Notification.objects.create(recipient=world.student_cs, title="坏链接", url="//evil.example.com/")
    client = client_for(world.student_cs)
    for n in (plain, forged):
        assert client.post(f"/notifications/{n.pk}/open/")["Location"] == "/notifications/"


def test_someone_elses_message_is_404_and_unchanged(world: World) -> None:
    theirs = notify(recipients=[world.student_me], title="别人的", url="/")[0]
    response = client_for(world.student_cs).post(f"/notifications/{theirs.pk}/open/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client_for(world.student_cs).post("/notifications/987654/open/").status_code == 404


def test_mark_all_read_is_one_update_and_only_mine(world: World, django_assert_num_queries: Any) -> None:
    notify(recipients=[world.student_cs, world.student_me], title="一")
    notify(recipients=[world.student_cs], title="二")
    with django_assert_num_queries(1):
        assert actions.mark_all_read(actor=world.student_cs) == 2
    assert Notification.objects.filter(recipient=world.student_me, read_at__isnull=True).count() == 1
    response = client_for(world.student_cs).post("/notifications/read-all/")
    assert response.status_code == 302
    assert Notification.objects.visible_to(world.student_cs).unread().count() == 0


def test_anonymous_visitors_are_sent_to_login(client: Any, world: World) -> None:
    response = client.get("/notifications/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_visible_to_is_the_recipient_only(world: World) -> None:
    notify(recipients=[world.student_cs, world.system_admin], title="一")
    assert Notification.objects.visible_to(world.system_admin).count() == 1
    assert Notification.objects.visible_to(None).count() == 0
