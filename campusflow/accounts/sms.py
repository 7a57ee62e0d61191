"""Pluggable SMS senders (P-05).

``settings.SMS_SENDER`` names the class. Development writes messages to the
console and a file (``var/sms.log``) so a person running the demo can read the
code; tests use the in-memory outbox; production posts to an HTTP gateway.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import ClassVar

import httpx
from django.conf import settings
from django.utils.module_loading import import_string

from campusflow.core.privacy import mask_phone

logger = logging.getLogger(__name__)


class SmsDeliveryError(RuntimeError):
    pass


class SmsSender:
    def send(self, phone: str, message: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSmsSender(SmsSender):
    """Development: print the message and append it to ``settings.SMS_FILE_PATH``."""

    def send(self, phone: str, message: str) -> None:
        # The phone is masked even here: console output and var/sms.log are logs too (S-10).
        line = f"{datetime.now():%Y-%m-%d %H:%M:%S} {mask_phone(phone)} {message}"
        print(f"[SMS] {line}", flush=True)
        path = Path(settings.SMS_FILE_PATH)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")


class MemorySmsSender(SmsSender):
    """Tests: messages land in ``MemorySmsSender.outbox``."""

    outbox: ClassVar[list[tuple[str, str]]] = []

    def send(self, phone: str, message: str) -> None:
        self.outbox.append((phone, message))


class HttpGatewaySmsSender(SmsSender):
    """Production: POST ``{"phone", "message"}`` as JSON to the configured gateway."""

    def send(self, phone: str, message: str) -> None:
        if not settings.SMS_GATEWAY_URL:
            raise SmsDeliveryError("CAMPUSFLOW_SMS_GATEWAY_URL is not configured")
        try:
            response = httpx.post(
                settings.SMS_GATEWAY_URL,
                content=json.dumps({"phone": phone, "message": message}, ensure_ascii=False).encode(),
                headers={
                    "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}",
                    "Content-Type": "application/json; charset=utf-8",
                },
                timeout=settings.SMS_GATEWAY_TIMEOUT,
            )
            response.raise_for_status()
        except httpx.HTTPError as exc:
            # The phone number never goes into logs unmasked (S-10).
            logger.warning("SMS gateway failed for %s: %s", mask_phone(phone), type(exc).__name__)
            raise SmsDeliveryError(str(type(exc).__name__)) from exc


def get_sender() -> SmsSender:
    sender_class: type[SmsSender] = import_string(settings.SMS_SENDER)
    return sender_class()
