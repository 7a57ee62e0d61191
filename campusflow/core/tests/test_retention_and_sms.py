"""S-11 log retention and the pluggable SMS senders of P-05."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from campusflow.accounts.sms import ConsoleSmsSender, HttpGatewaySmsSender, SmsDeliveryError
from campusflow.core import audit
from campusflow.core.models import AuditEvent


@pytest.mark.spec("S-11", "P-09")
def test_prune_keeps_everything_younger_than_the_legal_minimum(world):
    with time_machine.travel(timezone.now() - timedelta(days=400)):
        audit.record("test.old", actor=world.school_admin)
    audit.record("test.new", actor=world.school_admin)
    with pytest.raises(CommandError):
        call_command("prune_logs", audit_days=30)
    call_command("prune_logs", audit_days=365)
    assert list(AuditEvent.objects.filter(action__startswith="test.").values_list("action", flat=True)) == ["test.new"]


@pytest.mark.spec("P-05")
def test_console_sender_writes_the_message_to_the_dev_file(settings, tmp_path):
    settings.SMS_FILE_PATH = str(tmp_path / "sms.log")
    ConsoleSmsSender().send("13912345678", "验证码 123456")
    assert "验证码 123456" in (tmp_path / "sms.log").read_text(encoding="utf-8")


class _Gateway(BaseHTTPRequestHandler):
    received: list[dict[str, str]] = []
    status = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append({"auth": self.headers["Authorization"], **json.loads(body)})
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.spec("P-05")
def test_http_gateway_sender_posts_to_the_configured_gateway(settings):
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/send"
        settings.SMS_GATEWAY_TOKEN = "gateway-token"
        _Gateway.received.clear()
        HttpGatewaySmsSender().send("13912345678", "验证码 654321")
        assert _Gateway.received == [
            {"auth": "Bearer gateway-token", "phone": "13912345678", "message": "验证码 654321"}
        ]
        _Gateway.status = 500
        with pytest.raises(SmsDeliveryError):
            HttpGatewaySmsSender().send("13912345678", "x")
    finally:
        _Gateway.status = 200
        server.shutdown()


@pytest.mark.spec("S-05", "S-10")
def test_error_pages_are_in_chinese_and_show_no_personal_data(world):
    from django.test import Client

    from campusflow.core.testing import client_for

    missing = client_for(world.secretary_cs).get("/org/students/999999/")
    assert missing.status_code == 404 and "不在您的查看范围内" in missing.content.decode()
    csrf_client = Client(enforce_csrf_checks=True)
    stale = csrf_client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert stale.status_code == 403 and "页面已过期" in stale.content.decode()


@pytest.mark.spec("P-09")
def test_client_ip_believes_forwarded_for_only_from_trusted_proxies(settings, rf):
    from campusflow.core import middleware

    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    middleware._trusted_proxies.cache_clear()
    try:
        spoofed = rf.get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
        assert middleware.client_ip(spoofed) == "203.0.113.7"
        proxied = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9, 10.0.0.6")
        assert middleware.client_ip(proxied) == "198.51.100.9"
        garbage = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="not-an-ip")
        assert middleware.client_ip(garbage) == "10.0.0.5"
    finally:
        middleware._trusted_proxies.cache_clear()


@pytest.mark.spec("X-07", "S-06")
def test_s3_compatible_storage_is_chosen_by_the_environment():
    """Local disk by default; a bucket in the environment switches files to private S3-compatible storage."""
    import json
    import os
    import subprocess
    import sys

    script = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'campusflow.settings';"
        "from django.conf import settings; print(json.dumps(settings.STORAGES['default']))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAMPUSFLOW_S3")}
    local = json.loads(
        subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, check=True, text=True).stdout
    )
    assert local["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    env.update({"CAMPUSFLOW_S3_BUCKET": "campusflow-files", "CAMPUSFLOW_S3_ENDPOINT_URL": "http://127.0.0.1:9000"})
    s3 = json.loads(
        subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, check=True, text=True).stdout
    )
    assert s3["BACKEND"] == "storages.backends.s3.S3Storage"
    assert s3["OPTIONS"]["bucket_name"] == "campusflow-files" and s3["OPTIONS"]["default_acl"] == "private"
