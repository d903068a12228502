"""The user interface is bilingual: a complete French catalogue, a language switcher, the ``lang``
attribute, and dates, numbers and country names in the reader's language (issue 2 §8)."""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract
from babel.messages.pofile import read_po
from django.conf import settings
from django.template import Context, Template
from django.test import SimpleTestCase, TestCase
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation.template import templatize

from surveys.countries import localized_country_name
from tests.factories import PASSWORD, make_assessment, make_focal_point

ROOT = Path(settings.BASE_DIR)
# Every language of the interface but English (the source language) has a complete catalogue.
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != "en"]
# Folders whose strings are not in this catalogue: the reports app keeps its own (reports/locale),
# and tests, tooling and generated files are not user interface.
NOT_IN_CATALOGUE = {
    "charts",
    "reports",
    "tests",
    "benchmarks",
    "locale",
    "var",
    "staticfiles",
    "docs",
}
# Plural rules as GNU gettext's and CLDR's tables give them; languages not listed are only
# checked for consistency between the header and the entries.
PLURAL_RULES = {
    "fr": (2, "(n > 1)"),
    "ar": (
        6,
        "(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5)",
    ),
}


def catalogue_path(language: str, app: str | None = None) -> Path:
    base = ROOT / app / "locale" if app else ROOT / "locale"
    return base / language / "LC_MESSAGES" / "django.po"


# The gettext functions Django's makemessages looks for, in babel's keyword notation.
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}

# printf fields (%(name)s, %s, %d, %02X, %%), str.format fields ({name}) and HTML tags must all
# survive translation unchanged, or the page raises KeyError or loses its markup.
PLACEHOLDER = re.compile(r"%\(\w+\)[-+ #0-9.]*[sdifrxXa]|%[sdif]|%%|\{\w*\}|</?[a-zA-Z][^>]*>")


def read_catalogue(language: str, app: str | None = None) -> Catalog:
    with catalogue_path(language, app).open("rb") as po_file:
        return read_po(po_file, locale=language)


def entries(catalogue: Catalog) -> list[Message]:
    return [message for message in catalogue if message.id]


def as_pairs(message: Message) -> list[tuple[str, str]]:
    """(English, translated) pairs: one per plural form, the other forms compared to the plural."""
    if isinstance(message.id, tuple):
        singular, plural = message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        english = [singular, *[plural] * (len(strings) - 1)]
        return list(zip(english, strings, strict=True))
    return [(message.id, message.string or "")]


def source_files() -> Iterator[Path]:
    for path in sorted(ROOT.rglob("*")):
        relative = path.relative_to(ROOT).parts
        if relative[0] in NOT_IN_CATALOGUE or any(part.startswith(".") for part in relative):
            continue
        if path.suffix in {".py", ".html", ".txt"} and path.is_file():
            yield path


def source_messages() -> set[str | tuple[str, ...]]:
    """Every translatable string of the project's code and templates, as makemessages sees them.

    Templates go through Django's own ``templatize`` (what makemessages feeds xgettext), then
    babel's Python extractor, so no GNU gettext is needed to run the test.
    """
    found: set[str | tuple[str, ...]] = set()
    for path in source_files():
        text = path.read_text(encoding="utf-8")
        if path.suffix != ".py":
            # templatize keeps the template's indentation, which the Python tokenizer rejects.
            text = "\n".join(
                line.lstrip() for line in templatize(text, origin=str(path)).splitlines()
            )
        for _line, message, _comments, _context in extract(
            "python", io.BytesIO(text.encode()), keywords=KEYWORDS
        ):
            found.add(message)
    return found


class CatalogueTests(SimpleTestCase):
    """Every language of ``settings.LANGUAGES`` but English: project and reports catalogues."""

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.catalogues = {
            (language, app): read_catalogue(language, app)
            for language in TRANSLATED
            for app in (None, "reports")
            if catalogue_path(language, app).is_file()
        }

    def catalogue(self, language: str, app: str | None = None) -> Catalog:
        self.assertIn(
            (language, app),
            self.catalogues,
            f"{catalogue_path(language, app).relative_to(ROOT)} is missing",
        )
        return self.catalogues[(language, app)]

    def each_catalogue(self) -> list[tuple[str, Catalog | None]]:
        """(path, catalogue) of every language and app; None where the file is missing."""
        return [
            (
                str(catalogue_path(language, app).relative_to(ROOT)),
                self.catalogues.get((language, app)),
            )
            for language in TRANSLATED
            for app in (None, "reports")
        ]

    def present(self, name: str, catalogue: Catalog | None) -> Catalog:
        if catalogue is None:
            self.fail(f"{name} is missing")
        return catalogue

    def test_the_interface_has_more_than_english(self) -> None:
        self.assertIn("fr", TRANSLATED)
        self.assertIn("ar", TRANSLATED)

    def test_the_catalogues_are_not_empty(self) -> None:
        for language in TRANSLATED:
            with self.subTest(language):
                self.assertGreater(len(entries(self.catalogue(language))), 500)
                self.assertGreater(len(entries(self.catalogue(language, "reports"))), 100)

    def test_every_string_of_the_interface_is_in_every_catalogue(self) -> None:
        # Fails when someone adds a string without refreshing the catalogues: `make messages`,
        # translate the new entries in every language, `make translations`.
        strings = source_messages()
        for language in TRANSLATED:
            with self.subTest(language):
                catalogued = {message.id for message in entries(self.catalogue(language))}
                missing = sorted(map(str, strings - catalogued))
                self.assertEqual(missing, [], f"strings missing from the {language} catalogue")

    def test_every_report_string_is_in_every_reports_catalogue(self) -> None:
        # The French reports catalogue is the reference: the other languages carry the same
        # entries, with the same context.
        reference = {
            (message.context, message.id) for message in entries(self.catalogue("fr", "reports"))
        }
        for language in TRANSLATED:
            with self.subTest(language):
                catalogued = {
                    (message.context, message.id)
                    for message in entries(self.catalogue(language, "reports"))
                }
                self.assertEqual(sorted(map(str, reference - catalogued)), [])

    def test_every_entry_is_translated(self) -> None:
        for name, maybe in self.each_catalogue():
            with self.subTest(name):
                catalogue = self.present(name, maybe)
                untranslated = [
                    message.id
                    for message in entries(catalogue)
                    # Not stripped: a thousands separator may rightly be a (no-break) space.
                    if not all(translated for _english, translated in as_pairs(message))
                ]
                self.assertEqual(untranslated, [], f"untranslated entries in {name}")

    def test_no_entry_is_left_fuzzy(self) -> None:
        for name, maybe in self.each_catalogue():
            with self.subTest(name):
                catalogue = self.present(name, maybe)
                fuzzy = [message.id for message in entries(catalogue) if message.fuzzy]
                self.assertEqual(fuzzy, [], f"fuzzy entries in {name}")

    def test_every_plural_entry_has_every_form_of_its_language(self) -> None:
        for name, maybe in self.each_catalogue():
            with self.subTest(name):
                catalogue = self.present(name, maybe)
                for message in entries(catalogue):
                    if isinstance(message.id, tuple):
                        self.assertEqual(len(message.string), catalogue.num_plurals, message.id[0])

    def test_translations_keep_every_placeholder_and_tag(self) -> None:
        for name, maybe in self.each_catalogue():
            with self.subTest(name):
                catalogue = self.present(name, maybe)
                for message in entries(catalogue):
                    for english, translated in as_pairs(message):
                        self.assertEqual(
                            sorted(PLACEHOLDER.findall(translated)),
                            sorted(PLACEHOLDER.findall(english)),
                            f"{name}: {english}",
                        )

    def test_the_headers_declare_the_language_and_its_plural_rule(self) -> None:
        for name, maybe in self.each_catalogue():
            with self.subTest(name):
                catalogue = self.present(name, maybe)
                language = name.split("/")[-3]
                self.assertEqual(str(catalogue.locale), language)
                if language in PLURAL_RULES:
                    count, rule = PLURAL_RULES[language]
                    self.assertEqual(catalogue.num_plurals, count)
                    self.assertEqual(catalogue.plural_expr.replace(" ", ""), rule.replace(" ", ""))
                header = (ROOT / name).read_text(encoding="utf-8").split("\n\n", 1)[0]
                self.assertIn(f'"Language: {language}\\n"', header)
                self.assertIn("charset=UTF-8", header)


class CompiledCatalogueTests(SimpleTestCase):
    def test_the_compiled_catalogue_is_the_one_django_uses(self) -> None:
        # Fails when the .mo is missing or stale: run `make translations`.
        with translation.override("fr"):
            self.assertEqual(translation.gettext("Log in"), "Se connecter")
            self.assertEqual(translation.gettext("National focal point"), "Point focal national")
            self.assertEqual(
                translation.ngettext("%(counter)s open query", "%(counter)s open queries", 1),
                "%(counter)s demande de précision ouverte",
            )
            self.assertEqual(
                translation.ngettext("%(counter)s open query", "%(counter)s open queries", 2),
                "%(counter)s demandes de précision ouvertes",
            )

    def test_the_compiled_arabic_catalogue_has_its_six_plural_forms(self) -> None:
        # Fails when locale/ar has no .mo or a stale one: run `make translations`.
        with translation.override("ar"):
            self.assertEqual(translation.gettext("Log in"), "تسجيل الدخول")
            self.assertEqual(translation.gettext("National focal point"), "جهة الاتصال الوطنية")
            forms = {
                count: translation.ngettext(
                    "%(counter)s open query", "%(counter)s open queries", count
                )
                for count in (1, 2, 3, 11)
            }
            # One, two (dual), three to ten (plural) and eleven to ninety-nine (singular
            # accusative) take different words in Arabic.
            self.assertEqual(forms[2], "استفساران مفتوحان (%(counter)s)")
            self.assertEqual(forms[3], "%(counter)s استفسارات مفتوحة")
            self.assertEqual(forms[11], "%(counter)s استفسارًا مفتوحًا")
            self.assertEqual(len(set(forms.values())), 4, forms)
            for form in forms.values():
                self.assertIn("%(counter)s", form)


class LanguageSelectionTests(TestCase):
    def test_the_home_page_is_english_by_default(self) -> None:
        response = self.client.get(reverse("home"))
        self.assertContains(response, '<html lang="en"')
        self.assertContains(response, "Who does what")

    def test_the_home_page_follows_the_browser_language(self) -> None:
        response = self.client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
        self.assertContains(response, '<html lang="fr"')
        self.assertContains(response, "Qui fait quoi")
        self.assertContains(response, "Points focaux nationaux")
        self.assertContains(response, "Aller au contenu principal")
        self.assertNotContains(response, "Who does what")

    def test_the_login_page_follows_the_language_cookie(self) -> None:
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
        response = self.client.get(reverse("login"))
        self.assertContains(response, '<html lang="fr"')
        self.assertContains(response, "<h1>Se connecter</h1>", html=True)
        self.assertContains(response, "Mot de passe")

    def test_the_language_switcher_switches_to_french_and_back(self) -> None:
        response = self.client.post(reverse("set_language"), {"language": "fr", "next": "/"})
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertEqual(self.client.cookies[settings.LANGUAGE_COOKIE_NAME].value, "fr")
        self.assertContains(self.client.get(reverse("home")), '<html lang="fr"')

        self.client.post(reverse("set_language"), {"language": "en", "next": "/"})
        self.assertContains(self.client.get(reverse("home")), '<html lang="en"')

    def test_the_switcher_offers_both_languages_in_their_own_names(self) -> None:
        response = self.client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="fr")
        self.assertContains(response, f'action="{reverse("set_language")}"')
        self.assertContains(response, '<option value="en" lang="en">English</option>', html=True)
        self.assertContains(
            response, '<option value="fr" lang="fr" selected>Français</option>', html=True
        )

    def test_the_switcher_offers_spanish_and_arabic_in_their_own_names(self) -> None:
        response = self.client.get(reverse("home"))
        self.assertContains(response, '<option value="es" lang="es">Español</option>', html=True)
        self.assertContains(response, '<option value="ar" lang="ar">العربيّة</option>', html=True)

    def test_arabic_pages_are_laid_out_right_to_left(self) -> None:
        response = self.client.post(reverse("set_language"), {"language": "ar", "next": "/"})
        self.assertEqual(self.client.cookies[settings.LANGUAGE_COOKIE_NAME].value, "ar")
        arabic = self.client.get(reverse("home"))
        self.assertContains(arabic, '<html lang="ar" dir="rtl">')
        self.assertContains(arabic, "تخطي إلى المحتوى الرئيسي")
        self.assertContains(
            arabic, '<option value="ar" lang="ar" selected>العربيّة</option>', html=True
        )
        self.client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
        french = self.client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="fr")
        self.assertContains(french, '<html lang="fr" dir="ltr">')
        self.assertEqual(response.status_code, 302)


class SignedInFrenchPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        # fatou: focal point of Senegal with one assessment, reading in French.
        cls.fatou = make_focal_point("SEN", username="fatou")
        cls.assessment = make_assessment("SEN")

    def setUp(self) -> None:
        self.client.login(username="fatou", password=PASSWORD)

    def test_the_home_page_speaks_french_to_a_focal_point(self) -> None:
        response = self.client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="fr")
        self.assertContains(response, "Bienvenue, Fatou")
        self.assertContains(response, "Point focal national")
        self.assertContains(response, "Remplir votre évaluation")
        self.assertContains(response, "Brouillon")
        self.assertContains(response, "Se déconnecter")

    def test_country_names_and_dates_are_french_on_the_page(self) -> None:
        response = self.client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="fr")
        self.assertContains(response, "Sénégal")
        changed = timezone.localtime(self.assessment.updated_at)
        self.assertContains(response, changed.strftime("%d/%m/%Y %H:%M"))

        english = self.client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(english, "Senegal")
        self.assertNotContains(english, changed.strftime("%d/%m/%Y %H:%M"))


class FrenchFormattingTests(SimpleTestCase):
    def test_templates_print_numbers_with_a_decimal_comma(self) -> None:
        template = Template("{{ score }} {{ share|floatformat:1 }} {{ cost|floatformat:'2g' }}")
        context = Context({"score": 62.5, "share": Decimal("14.28"), "cost": 1234567.5})
        with translation.override("fr"):
            self.assertEqual(template.render(context), "62,5 14,3 1\xa0234\xa0567,50")
        with translation.override("en"):
            self.assertEqual(template.render(context), "62.5 14.3 1,234,567.50")

    def test_numbers_are_grouped_the_french_way(self) -> None:
        with translation.override("fr"):
            self.assertEqual(
                formats.number_format(1234567.891, decimal_pos=2, force_grouping=True),
                "1\xa0234\xa0567,89",
            )

    def test_dates_are_written_the_french_way(self) -> None:
        day = datetime.date(2026, 3, 31)
        with translation.override("fr"):
            self.assertEqual(formats.date_format(day), "31 mars 2026")
            self.assertEqual(formats.date_format(day, "SHORT_DATE_FORMAT"), "31/03/2026")
        with translation.override("en"):
            self.assertEqual(formats.date_format(day), "March 31, 2026")

    def test_french_forms_read_decimal_commas(self) -> None:
        with translation.override("fr"):
            self.assertEqual(formats.sanitize_separators("12,5"), "12.5")


class CountryNameTests(SimpleTestCase):
    def test_country_names_come_out_in_french(self) -> None:
        with translation.override("fr"):
            self.assertEqual(localized_country_name("DEU", "Germany"), "Allemagne")
            self.assertEqual(localized_country_name("CIV", "Côte d'Ivoire"), "Côte d'Ivoire")
            self.assertEqual(localized_country_name("SEN", "Senegal"), "Sénégal")

    def test_country_names_stay_english_in_english(self) -> None:
        with translation.override("en"):
            self.assertEqual(localized_country_name("DEU", "Germany"), "Germany")
