"""API tokens (issue 16, item 3): hashed, shown once, expiring, scoped, revocable; rate limits.

The attack this answers: tokens were stored in clear and never expired, and 100 calls in 1.1 s
were all answered 200.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib
from types import SimpleNamespace

from django.apps import apps as global_apps
from django.core.cache import cache
from django.db import connection
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from surveys.models import Answer, ApiToken, AuditEvent, TokenScope
from surveys.services.tokens import api_token_create
from tests.factories import (
    PASSWORD,
    make_api_token,
    make_assessment,
    make_focal_point,
    make_user,
)


def api(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


class TokenStorageAndScopeTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.focal = make_focal_point("SEN")
        cls.assessment = make_assessment("SEN")

    def answers_url(self) -> str:
        return f"/api/assessments/{self.assessment.pk}/answers/"

    def write(self, key: str) -> object:
        body = {"base_revision": 0, "answers": [{"question_code": "GOV.1.a", "value": 3}]}
        return api(key).patch(self.answers_url(), body, format="json")

    def test_only_a_hash_and_a_prefix_of_the_key_are_stored(self) -> None:
        token, key = api_token_create(
            user=self.focal, name="script", scope=TokenScope.READ, lifetime_days=30
        )
        stored = ApiToken.objects.get(pk=token.pk)
        assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
        assert stored.prefix == key[:8] and len(key) >= 40
        row = ApiToken.objects.filter(pk=token.pk).values().get()
        assert key not in [str(value) for value in row.values()]

    def test_a_read_only_token_reads_but_cannot_write(self) -> None:
        key = make_api_token(self.focal, scope=TokenScope.READ)
        assert api(key).get(self.answers_url()).status_code == 200
        response = self.write(key)
        assert response.status_code == 403
        assert "read-only" in response.json()["detail"]
        assert not Answer.objects.exists()

    def test_a_read_write_token_writes(self) -> None:
        assert self.write(make_api_token(self.focal)).status_code == 200
        assert Answer.objects.get().value == 3

    def test_an_expired_token_is_refused(self) -> None:
        token, key = api_token_create(
            user=self.focal, name="old", scope=TokenScope.READ, lifetime_days=1
        )
        ApiToken.objects.filter(pk=token.pk).update(
            expires_at=timezone.now() - datetime.timedelta(seconds=1)
        )
        response = api(key).get("/api/assessments/")
        assert response.status_code == 401
        assert response.json()["detail"] == "This token has expired."

    def test_the_lifetime_is_bounded(self) -> None:
        with self.assertRaises(ValueError):
            api_token_create(user=self.focal, name="x", scope=TokenScope.READ, lifetime_days=0)
        with self.assertRaises(ValueError):
            api_token_create(user=self.focal, name="x", scope=TokenScope.READ, lifetime_days=366)

    def test_a_token_of_a_deactivated_user_is_refused(self) -> None:
        key = make_api_token(self.focal)
        type(self.focal).objects.filter(pk=self.focal.pk).update(is_active=False)
        assert api(key).get("/api/assessments/").status_code == 401


class TokenPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.focal = make_focal_point("SEN")
        cls.other = make_focal_point("SEN")
        cls.admin = make_user(is_superuser=True, is_staff=True)

    def setUp(self) -> None:
        assert self.client.login(username=self.focal.username, password=PASSWORD)

    def create(self, **fields: object) -> object:
        data = {"name": "statistics script", "scope": "read", "lifetime_days": "90"} | fields
        return self.client.post(reverse("surveys:api-tokens"), data)

    def test_the_full_key_is_shown_once_then_only_its_prefix(self) -> None:
        response = self.create()
        assert response.status_code == 200
        key = response.context["new_key"]
        assert key in response.content.decode()
        assert api(key).get("/api/assessments/").status_code == 200
        page = self.client.get(reverse("surveys:api-tokens")).content.decode()
        assert key not in page and f"{key[:8]}…" in page
        token = ApiToken.objects.get()
        assert token.scope == "read" and token.name == "statistics script"
        assert round((token.expires_at - token.created_at).total_seconds() / 86400) == 90
        assert AuditEvent.objects.filter(action="token_created", actor=self.focal).exists()

    def test_a_lifetime_longer_than_allowed_is_refused(self) -> None:
        response = self.create(lifetime_days="3650")
        assert response.status_code == 400 and not ApiToken.objects.exists()

    def test_the_owner_revokes_a_token_and_it_stops_working(self) -> None:
        key = self.create().context["new_key"]
        token = ApiToken.objects.get()
        response = self.client.post(reverse("surveys:api-token-revoke", args=[token.pk]))
        assert response.status_code == 302
        assert api(key).get("/api/assessments/").json()["detail"] == "This token has been revoked."
        assert AuditEvent.objects.filter(action="token_revoked").count() == 1

    def test_nobody_else_sees_or_revokes_a_token(self) -> None:
        key = make_api_token(self.other)
        token = ApiToken.objects.get()
        assert key[:8] not in self.client.get(reverse("surveys:api-tokens")).content.decode()
        response = self.client.post(reverse("surveys:api-token-revoke", args=[token.pk]))
        assert response.status_code == 404
        assert api(key).get("/api/assessments/").status_code == 200

    def test_an_administrator_revokes_any_token_in_the_admin(self) -> None:
        key = make_api_token(self.other)
        token = ApiToken.objects.get()
        self.client.force_login(self.admin)
        changelist = reverse("admin:surveys_apitoken_changelist")
        page = self.client.get(changelist).content.decode()
        assert token.prefix in page and key not in page
        response = self.client.post(
            changelist, {"action": "revoke", "_selected_action": [token.pk]}, follow=True
        )
        assert "1 token revoked." in response.content.decode()
        assert api(key).get("/api/assessments/").status_code == 401


class LegacyTokenMigrationTests(TestCase):
    """Tokens of DRF's authtoken app become hashed, expiring read-and-write tokens."""

    def test_clear_tokens_are_hashed_then_erased(self) -> None:
        user = make_user()
        migration = importlib.import_module("surveys.migrations.0005_api_tokens_hashed")
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id integer, "
                "created timestamp)"
            )
            cursor.execute(
                "INSERT INTO authtoken_token VALUES (%s, %s, %s)",
                ["0123456789abcdef0123456789abcdef01234567", user.pk, timezone.now()],
            )
        # The function needs only these two of a schema editor (SQLite refuses a real one
        # inside the test's transaction).
        editor = SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name)
        migration.hash_legacy_tokens(global_apps, editor)
        token = ApiToken.objects.get()
        assert token.user == user and token.scope == "read_write"
        assert 89 <= (token.expires_at - timezone.now()).days <= 90
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM authtoken_token")
            assert cursor.fetchone()[0] == 0
        key = "0123456789abcdef0123456789abcdef01234567"
        assert api(key).get("/api/assessments/").status_code == 200


# A cache of the tests' own: clearing it cannot touch entries other tests (in other processes
# too) keep in the project's cache.
@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "api-throttling-tests",
        }
    }
)
class ThrottlingTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.focal = make_focal_point("SEN")
        cls.assessment = make_assessment("SEN")

    def setUp(self) -> None:
        cache.clear()
        self.addCleanup(cache.clear)

    @override_settings(API_THROTTLE_RATES={"user": "50/minute", "uploads": "5/minute"})
    def test_a_user_making_100_calls_at_once_is_stopped_at_the_rate(self) -> None:
        client = api(make_api_token(self.focal))
        statuses = [client.get("/api/countries/").status_code for _ in range(100)]
        assert statuses.count(200) == 50 and statuses.count(429) == 50
        response = client.get("/api/countries/")
        assert response.status_code == 429 and int(response["Retry-After"]) > 0

    @override_settings(API_THROTTLE_RATES={"user": "50/minute", "uploads": "5/minute"})
    def test_uploads_have_a_stricter_limit_than_reads(self) -> None:
        client = api(make_api_token(self.focal))
        url = f"/api/assessments/{self.assessment.pk}/answers/"
        statuses = []
        for _ in range(8):
            revision = client.get(url.replace("answers/", "")).json()["revision"]
            body = {
                "base_revision": revision,
                "answers": [{"question_code": "GOV.1.a", "value": 2}],
            }
            statuses.append(client.patch(url, body, format="json").status_code)
        assert statuses == [200] * 5 + [429] * 3
        assert client.get(url).status_code == 200  # reads still go through


class SchemaNeedsSignInTests(TestCase):
    def test_the_schema_and_docs_are_refused_to_anonymous_visitors(self) -> None:
        assert self.client.get("/api/schema/").status_code == 401
        response = self.client.get("/api/docs/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")

    def test_a_signed_in_user_reads_them(self) -> None:
        self.client.force_login(make_user())
        assert self.client.get("/api/schema/").status_code == 200
        assert self.client.get("/api/docs/").status_code == 200
