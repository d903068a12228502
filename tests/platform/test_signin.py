"""Passwords and sessions (issue 16 §7): Argon2 with PBKDF2 hashes upgraded at sign-in, the idle
session timeout, password reset by e-mail, and two-factor sign-in (TOTP, RFC 6238) with
enrolment, recovery codes, a role requirement and an administrator's reset."""

from __future__ import annotations

import datetime
import re
import time
from unittest import mock

from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.core import mail
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

import needs_assessment.settings as production_settings
from surveys.signin import LAST_SEEN
from tests.factories import PASSWORD, make_focal_point, make_reviewer, make_user
from tests.platform.test_settings import run_manage

PAGE = "/assessments/"


def totp_code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the user's app shows (``steps_ahead`` 30-second steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def sign_in(client, username: str, password: str = PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


@override_settings(PASSWORD_HASHERS=production_settings.PASSWORD_HASHERS)
class PasswordHashingTests(TestCase):
    def test_argon2_is_the_first_hasher(self) -> None:
        assert production_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
        user = make_user("new_user")
        assert user.password.startswith("argon2$argon2id$")

    def test_a_pbkdf2_hash_is_upgraded_to_argon2_at_sign_in(self) -> None:
        user = make_user("old_user")
        user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
        user.save(update_fields=["password"])
        assert sign_in(self.client, "old_user").status_code == 302
        user.refresh_from_db()
        assert user.password.startswith("argon2$")
        self.client.logout()
        assert sign_in(self.client, "old_user").status_code == 302

    def test_a_hash_with_djangos_argon2_defaults_is_re_hashed_with_owasps_parameters(self) -> None:
        # Accounts created before the parameters changed keep signing in, and their hash
        # moves to 19 MiB / 2 passes / 1 lane (OWASP's minimum, needs_assessment/hashers.py).
        user = make_user("argon_default")
        django_default = Argon2PasswordHasher()
        user.password = django_default.encode(PASSWORD, django_default.salt())
        user.save(update_fields=["password"])
        assert "$m=102400,t=2,p=8$" in user.password
        assert sign_in(self.client, "argon_default").status_code == 302
        user.refresh_from_db()
        assert user.password.startswith("argon2$argon2id$")
        assert "$m=19456,t=2,p=1$" in user.password

    def test_a_wrong_password_does_not_touch_the_old_hash(self) -> None:
        user = make_user("old_user2")
        old_hash = make_password(PASSWORD, hasher="pbkdf2_sha256")
        user.password = old_hash
        user.save(update_fields=["password"])
        assert sign_in(self.client, "old_user2", "wrong").status_code == 200
        user.refresh_from_db()
        assert user.password == old_hash


class IdleTimeoutTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.alice = make_focal_point("SEN", "alice_idle")

    def setUp(self) -> None:
        self.client.force_login(self.alice)
        assert self.client.get(PAGE).status_code == 200

    def idle_for(self, minutes: float) -> None:
        session = self.client.session
        session[LAST_SEEN] = int(time.time() - minutes * 60)
        session.save()

    def test_the_default_timeout_is_thirty_minutes(self) -> None:
        assert production_settings.SESSION_IDLE_TIMEOUT_MINUTES == 30

    def test_a_session_idle_past_the_timeout_ends_with_a_message(self) -> None:
        self.idle_for(31)
        response = self.client.get(PAGE, follow=True)
        assert response.redirect_chain[0][0].startswith(reverse("login"))
        self.assertContains(response, "You were signed out after 30 minutes without activity")
        assert "_auth_user_id" not in self.client.session

    def test_an_active_session_stays_signed_in_and_is_refreshed(self) -> None:
        self.idle_for(29)
        assert self.client.get(PAGE).status_code == 200
        assert time.time() - self.client.session[LAST_SEEN] < 5
        self.idle_for(29)
        assert self.client.get(PAGE).status_code == 200

    @override_settings(SESSION_IDLE_TIMEOUT_MINUTES=5)
    def test_the_timeout_is_configurable(self) -> None:
        self.idle_for(4)
        assert self.client.get(PAGE).status_code == 200
        self.idle_for(6)
        assert self.client.get(PAGE).status_code == 302


@override_settings(SITE_URL="https://assessment.example.org")
class PasswordResetTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.alice = make_focal_point("SEN", "alice_reset")

    def reset_link(self) -> str:
        match = re.search(r"https://assessment\.example\.org(/accounts/\S+/)", mail.outbox[0].body)
        assert match, mail.outbox[0].body
        return match.group(1)

    def test_the_login_page_offers_a_reset(self) -> None:
        self.assertContains(self.client.get(reverse("login")), reverse("password_reset"))

    def test_a_user_resets_their_password_by_e_mail(self) -> None:
        response = self.client.post(reverse("password_reset"), {"email": self.alice.email})
        self.assertRedirects(response, reverse("password_reset_done"))
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == [self.alice.email]
        form = self.client.get(self.reset_link(), follow=True)
        self.assertContains(form, "Choose a new password")
        new = "a brand new long passphrase 7"
        done = self.client.post(
            form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
        )
        self.assertRedirects(done, reverse("password_reset_complete"))
        assert sign_in(self.client, "alice_reset", new).status_code == 302
        # The link works once.
        again = self.client.get(self.reset_link(), follow=True)
        self.assertContains(again, "This link no longer works")

    def test_an_unknown_address_looks_the_same_and_sends_nothing(self) -> None:
        response = self.client.post(reverse("password_reset"), {"email": "nobody@example.org"})
        self.assertRedirects(response, reverse("password_reset_done"))
        assert mail.outbox == []

    def test_the_e_mail_and_pages_are_in_french(self) -> None:
        french = {"headers": {"accept-language": "fr"}}
        page = self.client.get(reverse("password_reset"), **french)
        self.assertContains(page, "Réinitialiser votre mot de passe")
        self.client.post(reverse("password_reset"), {"email": self.alice.email}, **french)
        assert "Réinitialiser votre mot de passe" in mail.outbox[0].subject
        assert "Pour choisir un nouveau mot de passe" in mail.outbox[0].body

    def test_the_link_ignores_a_forged_host_header(self) -> None:
        self.client.post(
            reverse("password_reset"), {"email": self.alice.email}, headers={"host": "localhost"}
        )
        assert "https://assessment.example.org/accounts/" in mail.outbox[0].body
        assert "localhost" not in mail.outbox[0].body


class TwoFactorTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.alice = make_focal_point("SEN", "alice_2fa")
        cls.carol = make_reviewer("SEN", "carol_2fa")

    def enrol(self, user) -> tuple[TOTPDevice, list[str]]:
        self.client.force_login(user)
        page = self.client.get(reverse("two-factor-setup"))
        assert page.status_code == 200
        device = TOTPDevice.objects.get(user=user, confirmed=False)
        self.assertContains(page, "<svg")
        secret = re.search(r"<code>([A-Z2-7]+)</code>", page.content.decode()).group(1)
        assert len(secret) == 32
        response = self.client.post(reverse("two-factor-setup"), {"code": totp_code(device)})
        assert response.status_code == 200
        codes = re.findall(r"<li><code>(\w+)</code></li>", response.content.decode())
        assert len(codes) == 10
        device.refresh_from_db()
        assert device.confirmed
        self.client.logout()
        return device, codes

    def test_enrolment_refuses_a_wrong_code(self) -> None:
        self.client.force_login(self.alice)
        self.client.get(reverse("two-factor-setup"))
        response = self.client.post(reverse("two-factor-setup"), {"code": "000000"})
        self.assertContains(response, "This code is not right", status_code=400)
        assert not TOTPDevice.objects.filter(user=self.alice, confirmed=True).exists()

    def test_after_enrolment_the_password_alone_is_not_enough(self) -> None:
        device, _codes = self.enrol(self.alice)
        sign_in(self.client, "alice_2fa")
        response = self.client.get(PAGE)
        self.assertRedirects(
            response, f"{reverse('two-factor-verify')}?next=%2Fassessments%2F", 302
        )
        wrong = self.client.post(
            reverse("two-factor-verify") + "?next=/assessments/", {"code": "123456"}
        )
        self.assertContains(wrong, "This code is not right", status_code=400)
        # Guesses are throttled: right after a wrong code even the right one is refused ...
        right = totp_code(device, steps_ahead=1)
        refused = self.client.post(reverse("two-factor-verify"), {"code": right})
        self.assertContains(refused, "Too many wrong codes in a row. Wait", status_code=400)
        # ... until the delay has passed.
        later = timezone.now() + datetime.timedelta(seconds=30)
        with mock.patch("django_otp.models.timezone.now", return_value=later):
            accepted = self.client.post(
                reverse("two-factor-verify"), {"code": right, "next": "/assessments/"}
            )
        self.assertRedirects(accepted, PAGE)
        assert self.client.get(PAGE).status_code == 200

    def test_a_recovery_code_works_once(self) -> None:
        _device, codes = self.enrol(self.alice)
        for expected in (302, 400):
            self.client.logout()
            sign_in(self.client, "alice_2fa")
            response = self.client.post(reverse("two-factor-verify"), {"code": codes[0]})
            assert response.status_code == expected
        assert StaticDevice.objects.get(user=self.alice).token_set.count() == 9

    def test_the_password_alone_cannot_replace_the_second_factor(self) -> None:
        self.enrol(self.alice)
        sign_in(self.client, "alice_2fa")
        response = self.client.get(reverse("two-factor-setup"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("two-factor-verify"))
        assert TOTPDevice.objects.filter(user=self.alice).count() == 1

    def test_an_administrator_resets_a_lost_second_factor(self) -> None:
        device, _codes = self.enrol(self.alice)
        admin = make_user("admin_2fa", is_staff=True, is_superuser=True)
        self.client.force_login(admin)
        url = reverse("admin:otp_totp_totpdevice_delete", args=[device.pk])
        assert self.client.post(url, {"post": "yes"}).status_code == 302
        StaticDevice.objects.filter(user=self.alice).delete()
        self.client.logout()
        sign_in(self.client, "alice_2fa")
        assert self.client.get(PAGE).status_code == 200
        # Signed in (password only) while the reset happened: the verification page lets go.
        device, _codes = self.enrol(self.alice)
        sign_in(self.client, "alice_2fa")
        assert self.client.get(PAGE).status_code == 302
        TOTPDevice.objects.filter(user=self.alice).delete()
        StaticDevice.objects.filter(user=self.alice).delete()
        response = self.client.get(reverse("two-factor-verify") + "?next=/assessments/")
        self.assertRedirects(response, PAGE)
        assert self.client.get(PAGE).status_code == 200

    @override_settings(TWO_FACTOR_REQUIRED_ROLES=["reviewer", "administrator"])
    def test_a_required_role_must_enrol_before_anything_else(self) -> None:
        sign_in(self.client, "carol_2fa")
        response = self.client.get(PAGE)
        assert response["Location"].startswith(reverse("two-factor-setup"))
        self.assertContains(
            self.client.get(reverse("two-factor-setup")), "Your role requires a second step"
        )
        admin = make_user("root_2fa", is_superuser=True, is_staff=True)
        self.client.force_login(admin)
        assert self.client.get("/admin/")["Location"].startswith(reverse("two-factor-setup"))
        # A focal point is not in the required roles.
        self.client.force_login(self.alice)
        assert self.client.get(PAGE).status_code == 200

    @override_settings(TWO_FACTOR_REQUIRED_ROLES=["reviewer"])
    def test_a_required_role_signs_in_normally_once_enrolled(self) -> None:
        device, _codes = self.enrol(self.carol)
        sign_in(self.client, "carol_2fa")
        assert self.client.get(PAGE)["Location"].startswith(reverse("two-factor-verify"))
        self.client.post(reverse("two-factor-verify"), {"code": totp_code(device, 1)})
        assert self.client.get(PAGE).status_code == 200


def test_a_misspelt_required_role_stops_start_up() -> None:
    result = run_manage(
        "check", DEBUG="1", SECRET_KEY="x" * 50, TWO_FACTOR_REQUIRED_ROLES="reviewers"
    )
    assert result.returncode != 0
    assert "TWO_FACTOR_REQUIRED_ROLES may list administrator" in result.stderr
