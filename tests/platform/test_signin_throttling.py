"""Sign-in throttling (issue 16, item 2): repeated failures lock the account and the address.

The attack this answers: 30 wrong passwords on the site and 20 on ``/admin/login/``, then the
right one, still signed in. Here the (AXES_FAILURE_LIMIT + 1)th attempt is refused even with
the right password, the person sees how to get back in (in English and French), failures are
logged, and ``axes_reset_username`` lets them in again.
"""

from __future__ import annotations

import io

from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.core.management import call_command
from django.test import RequestFactory, SimpleTestCase, TestCase, override_settings
from django.urls import reverse

from surveys.signin import client_address
from tests.factories import PASSWORD, make_focal_point, make_user


class SignInThrottlingTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.focal = make_focal_point("SEN")
        cls.admin = make_user(is_superuser=True, is_staff=True)

    def log_in(self, url: str, username: str, password: str, address: str = "198.51.100.7"):
        return self.client.post(
            url, {"username": username, "password": password}, REMOTE_ADDR=address
        )

    def fail(self, url: str, username: str, times: int, address: str = "198.51.100.7") -> None:
        for _ in range(times):
            response = self.log_in(url, username, "wrong password", address)
            assert response.status_code == 200  # the form again, with its error

    def lock(self, url: str, username: str) -> None:
        """Fail up to the limit: the last failure already answers with the locked-out page."""
        self.fail(url, username, settings.AXES_FAILURE_LIMIT - 1)
        assert self.log_in(url, username, "wrong password").status_code == 429

    def test_the_right_password_is_refused_after_too_many_failures_on_the_site(self) -> None:
        url = reverse("login")
        self.lock(url, self.focal.username)
        response = self.log_in(url, self.focal.username, PASSWORD)
        assert response.status_code == 429
        assert "_auth_user_id" not in self.client.session
        page = response.content.decode()
        assert "Logging in is paused" in page
        assert f"After {settings.AXES_FAILURE_LIMIT} failed attempts to log in" in page
        assert "Wait 15 minutes, then log in again with the right password." in page
        assert "ask an administrator to unlock your account" in page

    def test_the_admin_login_is_throttled_too(self) -> None:
        url = reverse("admin:login")
        self.lock(url, self.admin.username)
        response = self.log_in(url, self.admin.username, PASSWORD)
        assert response.status_code == 429
        assert "_auth_user_id" not in self.client.session

    def test_the_account_is_locked_from_another_address_too(self) -> None:
        self.lock(reverse("login"), self.focal.username)
        response = self.log_in(reverse("login"), self.focal.username, PASSWORD, "203.0.113.9")
        assert response.status_code == 429

    def test_an_address_spraying_many_accounts_is_locked(self) -> None:
        url = reverse("login")
        for number in range(settings.AXES_FAILURE_LIMIT - 1):
            self.fail(url, f"guess{number}", 1)
        assert self.log_in(url, "one-more-guess", "wrong password").status_code == 429
        assert self.log_in(url, self.focal.username, PASSWORD).status_code == 429
        # Someone at another address is not affected.
        assert self.log_in(url, self.focal.username, PASSWORD, "203.0.113.9").status_code == 302

    def test_fewer_failures_than_the_limit_still_let_the_right_password_in(self) -> None:
        url = reverse("login")
        self.fail(url, self.focal.username, settings.AXES_FAILURE_LIMIT - 1)
        assert self.log_in(url, self.focal.username, PASSWORD).status_code == 302

    def test_failed_sign_ins_are_logged_with_account_and_address(self) -> None:
        with self.assertLogs("axes", level="WARNING") as logs:
            self.fail(reverse("login"), self.focal.username, 2)
        assert any(self.focal.username in line and "198.51.100.7" in line for line in logs.output)
        assert (
            AccessFailureLog.objects.filter(
                username=self.focal.username, ip_address="198.51.100.7"
            ).count()
            == 2
        )

    def test_the_locked_out_page_is_in_french_for_a_french_reader(self) -> None:
        self.lock(reverse("login"), self.focal.username)
        response = self.client.post(
            reverse("login"),
            {"username": self.focal.username, "password": PASSWORD},
            REMOTE_ADDR="198.51.100.7",
            HTTP_ACCEPT_LANGUAGE="fr",
        )
        assert response.status_code == 429
        page = response.content.decode()
        assert '<html lang="fr"' in page
        assert "La connexion est suspendue" in page

    def test_an_administrator_reset_lets_the_person_back_in(self) -> None:
        self.lock(reverse("login"), self.focal.username)
        assert AccessAttempt.objects.exists()
        call_command("axes_reset_username", self.focal.username, stdout=io.StringIO())
        call_command("axes_reset_ip", "198.51.100.7", stdout=io.StringIO())
        assert self.log_in(reverse("login"), self.focal.username, PASSWORD).status_code == 302


class ClientAddressTests(SimpleTestCase):
    def request(self) -> object:
        return RequestFactory().post(
            "/accounts/login/",
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7",
        )

    def test_without_a_proxy_the_connection_address_counts(self) -> None:
        assert client_address(self.request()) == "10.0.0.2"

    @override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
    def test_behind_the_proxy_the_address_it_appended_counts_not_the_clients_claim(self) -> None:
        assert client_address(self.request()) == "198.51.100.7"
