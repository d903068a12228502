"""The planning models moved from ``scoring`` to ``planning`` without losing a row (issue 15 §5).

The database is taken back to the last migration before the move (``scoring`` 0003 on main), filled
through the models as they were then, and migrated forward: every row, every relation, the
content types (permissions, admin history) must be where they were, in the renamed tables.
Then back again: the move is reversible. Runs on SQLite and on PostgreSQL (CI runs both).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase

from planning.models import DemandRule, Intervention, Offer, Provider
from surveys.models import Country
from tests.factories import make_user

MOVED = ["intervention", "provider", "offer", "demandrule"]


def migrate(targets: list[tuple[str, str | None]]) -> Any:
    """Migrate the test database to ``targets``; the apps as they are there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def before_the_move() -> list[tuple[str, str]]:
    """The scoring migration just before the planning models left it."""
    loader = MigrationExecutor(connection).loader
    (leave,) = [key for key in loader.disk_migrations if key[1].endswith("_planning_models_leave")]
    return list(loader.disk_migrations[leave].dependencies)


def latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


class PlanningModelsMoveTests(TransactionTestCase):
    def tearDown(self) -> None:
        migrate(latest())  # whatever happened, the next test finds the current schema
        super().tearDown()

    def fill_before_the_move(self, old_apps: Any) -> dict[str, Any]:
        """One row of each moved model and rows pointing at them, as the old app wrote them."""
        senegal = Country.objects.get(alpha3="SEN")
        intervention = old_apps.get_model("scoring", "Intervention").objects.create(
            framework_code="dcna",
            code="SKILLS-1",
            title={"en": "Digital skills academy", "fr": "Académie"},
            kind="training_course",
            channel="training_institute",
            targets={"P2": 5.0},
            cost=Decimal("125000.50"),
            duration_months=12,
            prerequisites=["GOV-1"],
        )
        provider = old_apps.get_model("scoring", "Provider").objects.create(
            code="ACAD-DKR",
            name="Dakar academy",
            kind="academy_partner",
            region="Africa",
            languages=["fr", "en"],
            country_id=senegal.pk,
        )
        offer = old_apps.get_model("scoring", "Offer").objects.create(
            provider=provider,
            code="ACAD-DKR-1",
            framework_code="dcna",
            title={"en": "Cybersecurity basics"},
            topics=["P4.1"],
            mode="blended",
            languages=["fr"],
            seats=40,
            cost=Decimal("300.00"),
            duration_days=5,
            level="introductory",
        )
        rule = old_apps.get_model("scoring", "DemandRule").objects.create(
            country_id=senegal.pk, languages={"fr": 1.0}, participants_per_point=Decimal("2.5")
        )
        # What stores content types: a permission given to a user, the admin's history.
        # contenttypes is not rolled back (only scoring and planning are): its current model.
        ContentType.objects.clear_cache()
        old_types = ContentType.objects
        offer_type = old_types.get(app_label="scoring", model="offer")
        planner = make_user("catalogue-editor")
        planner.user_permissions.add(
            Permission.objects.get(content_type_id=offer_type.pk, codename="change_offer")
        )
        entry = LogEntry.objects.create(
            user=planner,
            content_type_id=offer_type.pk,
            object_id=str(offer.pk),
            object_repr="ACAD-DKR-1",
            action_flag=CHANGE,
        )
        return {
            "intervention": intervention.pk,
            "provider": provider.pk,
            "offer": offer.pk,
            "rule": rule.pk,
            "senegal": senegal.pk,
            "planner": planner.pk,
            "entry": entry.pk,
            "type_ids": {
                model: old_types.get(app_label="scoring", model=model).pk for model in MOVED
            },
        }

    def test_rows_relations_and_content_types_survive_the_move_and_its_reversal(self) -> None:
        old_apps = migrate(before_the_move())
        with connection.cursor() as cursor:
            tables = connection.introspection.table_names(cursor)
        self.assertIn("scoring_offer", tables)
        self.assertNotIn("planning_offer", tables)
        made = self.fill_before_the_move(old_apps)

        migrate(latest())

        tables = connection.introspection.table_names()
        for model in MOVED:
            self.assertIn(f"planning_{model}", tables)
            self.assertNotIn(f"scoring_{model}", tables)
        intervention = Intervention.objects.get(pk=made["intervention"])
        self.assertEqual(
            (intervention.code, intervention.cost, intervention.title["fr"]),
            ("SKILLS-1", Decimal("125000.50"), "Académie"),
        )
        self.assertEqual(intervention.prerequisites, ["GOV-1"])
        offer = Offer.objects.select_related("provider__country").get(pk=made["offer"])
        self.assertEqual(offer.provider.pk, made["provider"])
        self.assertEqual(offer.provider.country.alpha3, "SEN")
        self.assertEqual((offer.seats, offer.cost), (40, Decimal("300.00")))
        self.assertEqual(list(Provider.objects.get(pk=made["provider"]).offers.all()), [offer])
        rule = DemandRule.objects.get(pk=made["rule"])
        self.assertEqual((rule.country_id, rule.languages), (made["senegal"], {"fr": 1.0}))
        self.assertEqual(Country.objects.get(pk=made["senegal"]).demand_rule, rule)

        # The same content-type rows, relabelled: nothing that points at them has to change.
        ContentType.objects.clear_cache()
        for model in MOVED:
            moved = ContentType.objects.get(pk=made["type_ids"][model])
            self.assertEqual((moved.app_label, moved.model), ("planning", model))
        self.assertFalse(ContentType.objects.filter(app_label="scoring", model__in=MOVED))
        entry = LogEntry.objects.get(pk=made["entry"])
        self.assertEqual(entry.get_edited_object(), offer)
        planner = type(entry.user).objects.get(pk=made["planner"])
        self.assertTrue(planner.has_perm("planning.change_offer"))

        # Reversible: back before the move, the rows are in the scoring tables again.
        old_apps = migrate(before_the_move())
        old_offer = old_apps.get_model("scoring", "Offer").objects.get(pk=made["offer"])
        self.assertEqual((old_offer.code, old_offer.provider_id), ("ACAD-DKR-1", made["provider"]))
        ContentType.objects.clear_cache()
        self.assertEqual(ContentType.objects.get(pk=made["type_ids"]["offer"]).app_label, "scoring")
