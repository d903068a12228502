"""The API's rate limit is counted once per machine, not once per gunicorn worker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.core.cache.backends.filebased import FileBasedCache
from django.test import RequestFactory, TestCase, override_settings

from api.throttling import ApiUserThrottle
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]


class SharedThrottleCountTests(TestCase):
    @override_settings(API_THROTTLE_RATES={"user": "4/minute"})
    def test_two_workers_with_the_default_file_cache_share_one_count(self) -> None:
        user = make_user("busy_client")
        with tempfile.TemporaryDirectory() as folder:
            # Two gunicorn workers: two processes, each with its own instance of the backend.
            workers = []
            for _ in range(2):

                class Worker(ApiUserThrottle):
                    cache = FileBasedCache(folder, {})

                workers.append(Worker())
            allowed = []
            for number in range(8):
                request = RequestFactory().get("/api/countries/")
                request.user = user
                allowed.append(workers[number % 2].allow_request(request, None))
        assert allowed == [True] * 4 + [False] * 4


def test_the_default_throttle_cache_is_a_folder_under_var_dir() -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("THROTTLE_CACHE_")}
    environment |= {"DJANGO_SETTINGS_MODULE": "needs_assessment.settings", "ENV_FILE": ""}
    environment |= {"VAR_DIR": "/srv/needs/var", "SECRET_KEY": "s" * 50}
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.CACHES['throttle']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    throttle = json.loads(result.stdout.strip().splitlines()[-1])
    assert throttle == {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": "/srv/needs/var/cache/throttle",
    }
