"""Settings for the test suite: the real database engines, fast hashing, no network."""

from campusflow.settings import *  # noqa: F403
from campusflow.settings import BASE_DIR

TESTING = True
# Argon2 is deliberately slow; tests check the policy, not the hash cost.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SMS_SENDER = "campusflow.accounts.sms.MemorySmsSender"
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
CAPTCHA_TEST_MODE = True
MEDIA_ROOT = BASE_DIR / "var" / "test-files"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# Tasks run in the test process as soon as they are enqueued.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
