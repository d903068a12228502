"""The Spanish catalogues (issue 21): the interface's and the reports app's, each with every entry
of its French counterpart translated, and the default framework with its intervention catalogue
in Spanish. Whether Spanish is offered on the pages is settings' business (LANGUAGES); these tests
check the texts a Spanish reader gets once it is."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po
from django.conf import settings
from django.test import SimpleTestCase
from django.utils import translation

from planning.catalogue import read_catalogue_file, validate_catalogue
from surveys.frameworks.loader import load_framework_file
from tests.platform.test_translations import PLACEHOLDER, source_messages

ROOT = Path(settings.BASE_DIR)
# (Spanish catalogue, the French one whose entries it must have)
CATALOGUES = {
    "interface": (
        ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po",
        ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po",
    ),
    "reports": (
        ROOT / "reports" / "locale" / "es" / "LC_MESSAGES" / "django.po",
        ROOT / "reports" / "locale" / "fr" / "LC_MESSAGES" / "django.po",
    ),
}


def read(path: Path, locale: str) -> Catalog:
    with path.open("rb") as po_file:
        return read_po(po_file, locale=locale)


def keyed(catalogue: Catalog) -> dict[tuple[object, str | None], Message]:
    """Entries by (msgid, msgctxt): the identity gettext looks a string up by."""
    return {(message.id, message.context): message for message in catalogue if message.id}


def pairs(message: Message) -> list[tuple[str, str]]:
    """(English, Spanish) per form; Spanish has two plural forms, like English."""
    if isinstance(message.id, tuple):
        return list(zip(message.id, message.string, strict=True))
    return [(message.id, message.string)]


class SpanishCatalogueTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.catalogues = {
            name: (read(spanish, "es"), read(french, "fr"))
            for name, (spanish, french) in CATALOGUES.items()
        }

    def test_each_catalogue_has_exactly_the_entries_of_the_french_one(self) -> None:
        for name, (spanish, french) in self.catalogues.items():
            with self.subTest(name):
                self.assertEqual(set(keyed(spanish)), set(keyed(french)))

    def test_every_string_of_the_interface_is_in_the_spanish_catalogue(self) -> None:
        catalogued = {message.id for message in keyed(self.catalogues["interface"][0]).values()}
        missing = sorted(map(str, source_messages() - catalogued))
        self.assertEqual(missing, [], "strings missing from locale/es/LC_MESSAGES/django.po")

    def test_every_entry_is_translated_and_none_is_fuzzy(self) -> None:
        for name, (spanish, _french) in self.catalogues.items():
            for message in keyed(spanish).values():
                with self.subTest(name=name, msgid=message.id):
                    self.assertFalse(message.fuzzy)
                    # Separators such as "," → a no-break space are translations too: only an
                    # empty string is missing.
                    self.assertTrue(all(string for _english, string in pairs(message)))

    def test_translations_keep_every_placeholder_and_tag(self) -> None:
        for name, (spanish, _french) in self.catalogues.items():
            for message in keyed(spanish).values():
                for english, string in pairs(message):
                    with self.subTest(name=name, msgid=english):
                        self.assertEqual(
                            sorted(PLACEHOLDER.findall(string)),
                            sorted(PLACEHOLDER.findall(english)),
                        )

    def test_the_headers_declare_spanish_and_its_plural_rule(self) -> None:
        for name, (spanish, _french) in self.catalogues.items():
            with self.subTest(name):
                self.assertEqual(str(spanish.locale), "es")
                self.assertEqual(spanish.num_plurals, 2)
                self.assertEqual(spanish.plural_expr, "(n != 1)")
                header = CATALOGUES[name][0].read_text(encoding="utf-8").split("\n\n", 1)[0]
                self.assertIn('"Language: es\\n"', header)
                self.assertIn("charset=UTF-8", header)

    def test_the_compiled_catalogues_are_the_ones_django_uses(self) -> None:
        # Fails when a .mo is missing or stale: run `make translations`.
        with translation.override("es"):
            self.assertEqual(translation.gettext("National focal point"), "Punto focal nacional")
            self.assertEqual(translation.gettext("Log in"), "Iniciar sesión")
            self.assertEqual(
                translation.ngettext("%(counter)s open query", "%(counter)s open queries", 1),
                "%(counter)s consulta abierta",
            )
            self.assertEqual(
                translation.ngettext("%(counter)s open query", "%(counter)s open queries", 2),
                "%(counter)s consultas abiertas",
            )
            self.assertEqual(translation.pgettext("history", "Approved"), "Aprobada")
            # The reports app's own catalogue.
            self.assertEqual(translation.gettext("Executive summary"), "Resumen")
            self.assertEqual(translation.pgettext("mean", "geometric"), "geométrica")


class SpanishFrameworkTests(SimpleTestCase):
    def test_the_default_framework_declares_spanish_and_has_it_for_every_text(self) -> None:
        # The loader refuses a framework with a declared language missing from any text, so
        # loading it proves every title, question, help text and level descriptor is in Spanish.
        spec = load_framework_file(ROOT / "frameworks" / "dcna-2026.yaml")
        self.assertIn("es", spec.languages)
        self.assertEqual(spec.title["es"], "Evaluación de Necesidades de Capacidad Digital")

    def test_the_intervention_catalogue_is_in_spanish(self) -> None:
        spec = load_framework_file(ROOT / "frameworks" / "dcna-2026.yaml")
        catalogue = read_catalogue_file(ROOT / "frameworks" / "dcna-2026-interventions.yaml")
        items = {item.code: item for item in validate_catalogue(catalogue.entries, spec)}
        self.assertEqual(items["CYB-CIRT"].title["es"], "Creación del CIRT nacional")
        self.assertTrue(all(item.title["es"] and item.description["es"] for item in items.values()))
