"""The message list behind the bell (W-06)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campusflow.core.access import signed_in
from campusflow.core.http import AuthedRequest
from campusflow.core.pagination import paginate
from campusflow.notifications import actions
from campusflow.notifications.models import Notification

PER_PAGE = 20


@signed_in
def notification_list(request: AuthedRequest) -> HttpResponse:
    show = "unread" if request.GET.get("show") == "unread" else "all"
    rows = Notification.objects.visible_to(request.user)
    if show == "unread":
        rows = rows.unread()
    rows = rows.annotate(unread=ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())).order_by(
        "-unread", "-created_at", "-id"
    )
    page = paginate(request, rows, per_page=PER_PAGE)
    return render(request, "notifications/list.html", {"page_obj": page, "show": show})


@require_POST
@signed_in
def notification_open(request: AuthedRequest, pk: int) -> HttpResponse:
    """Mark one message read and follow its link (only ever a path inside this site)."""
    try:
        notification = actions.mark_read(actor=request.user, notification_id=pk)
    except Notification.DoesNotExist:
        raise Http404 from None
    url = notification.url
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts=None) and url.startswith("/"):
        return redirect(url)
    return redirect("notifications:list")


@require_POST
@signed_in
def mark_all_read(request: AuthedRequest) -> HttpResponse:
    if actions.mark_all_read(actor=request.user):
        messages.success(request, _("消息已全部标为已读。"))
    return redirect("notifications:list")
