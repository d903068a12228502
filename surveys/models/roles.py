"""Who may do what, and for which countries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    FOCAL_POINT = "focal_point", _("National focal point")
    STAKEHOLDER = "stakeholder", _("Stakeholder contributor")
    REVIEWER = "reviewer", _("Country-office reviewer")
    PLANNER = "planner", _("Planner")
    ADMINISTRATOR = "administrator", _("Administrator")


COUNTRY_SCOPED_ROLES = frozenset({Role.FOCAL_POINT, Role.STAKEHOLDER, Role.REVIEWER})


class RoleAssignment(models.Model):
    """A role held by a user, for one country (focal points, reviewers) or globally."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    country = models.ForeignKey(
        "surveys.Country",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
        help_text=_("Required for focal points, stakeholders and reviewers; empty otherwise."),
    )

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "country"], name="unique_role_per_user_country"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        role__in=["focal_point", "stakeholder", "reviewer"], country__isnull=False
                    )
                    | models.Q(role__in=["planner", "administrator"], country__isnull=True)
                ),
                name="role_country_scope",
            ),
        ]

    def __str__(self) -> str:
        where = f" ({self.country.alpha3})" if self.country_id else ""
        return f"{self.user} — {self.get_role_display()}{where}"
