"""Checks on the shipped country classification table ``surveys/data/countries.csv``.

The table is plain data read by the platform; these tests need neither Django nor a
database, only the csv module and pycountry. Sources and editions are documented in
``surveys/data/README.md``.
"""

import csv
from collections import Counter
from pathlib import Path

import pycountry
import pytest

COUNTRIES_CSV = Path(__file__).resolve().parent.parent / "surveys" / "data" / "countries.csv"

EXPECTED_HEADER = ["alpha3", "m49_region", "m49_subregion", "itu_region", "income_group"]

# M49 sub-regions at the level the table uses, keyed by their region. Sub-Saharan Africa
# and Latin America and the Caribbean are M49 sub-regions; their intermediate regions
# (Western Africa, Caribbean, ...) are deliberately not used.
M49_SUBREGIONS_BY_REGION = {
    "Africa": {"Northern Africa", "Sub-Saharan Africa"},
    "Americas": {"Latin America and the Caribbean", "Northern America"},
    "Asia": {
        "Central Asia",
        "Eastern Asia",
        "South-eastern Asia",
        "Southern Asia",
        "Western Asia",
    },
    "Europe": {"Eastern Europe", "Northern Europe", "Southern Europe", "Western Europe"},
    "Oceania": {"Australia and New Zealand", "Melanesia", "Micronesia", "Polynesia"},
}

ITU_REGIONS = {"Africa", "Americas", "Arab States", "Asia & Pacific", "CIS", "Europe"}

INCOME_GROUPS = {"Low income", "Lower-middle income", "Upper-middle income", "High income"}

# The 22 members of the League of Arab States, which form ITU-D's Arab States region.
LEAGUE_OF_ARAB_STATES = {
    "DZA", "BHR", "COM", "DJI", "EGY", "IRQ", "JOR", "KWT", "LBN", "LBY", "MRT",
    "MAR", "OMN", "PSE", "QAT", "SAU", "SOM", "SDN", "SYR", "TUN", "ARE", "YEM",
}  # fmt: skip

ITU_CIS_REGION = {"ARM", "AZE", "BLR", "KAZ", "KGZ", "RUS", "TJK", "TKM", "UZB"}


def read_rows() -> list[dict[str, str]]:
    with COUNTRIES_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return read_rows()


@pytest.fixture(scope="module")
def rows_by_code(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {row["alpha3"]: row for row in rows}


def test_header_names_the_five_documented_columns() -> None:
    with COUNTRIES_CSV.open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == EXPECTED_HEADER


def test_every_pycountry_country_appears_exactly_once(rows: list[dict[str, str]]) -> None:
    counts = Counter(row["alpha3"] for row in rows)
    duplicated = sorted(code for code, count in counts.items() if count > 1)
    missing = sorted({country.alpha_3 for country in pycountry.countries} - set(counts))
    assert duplicated == []
    assert missing == []


def test_no_row_uses_a_code_unknown_to_pycountry(rows: list[dict[str, str]]) -> None:
    known = {country.alpha_3 for country in pycountry.countries}
    assert sorted(row["alpha3"] for row in rows if row["alpha3"] not in known) == []


def test_every_row_has_exactly_five_fields(rows: list[dict[str, str]]) -> None:
    # DictReader stores surplus fields under None and fills missing ones with None.
    malformed = [row for row in rows if None in row or None in row.values()]
    assert malformed == []


def test_m49_sub_region_belongs_to_its_region(rows: list[dict[str, str]]) -> None:
    mismatched = [
        (row["alpha3"], row["m49_region"], row["m49_subregion"])
        for row in rows
        if row["alpha3"] != "ATA"
        and row["m49_subregion"] not in M49_SUBREGIONS_BY_REGION.get(row["m49_region"], set())
    ]
    assert mismatched == []


def test_itu_region_is_one_of_the_six_itu_d_regions(rows: list[dict[str, str]]) -> None:
    unknown = [
        (row["alpha3"], row["itu_region"])
        for row in rows
        if row["alpha3"] != "ATA" and row["itu_region"] not in ITU_REGIONS
    ]
    assert unknown == []


def test_income_group_is_a_world_bank_group_or_empty(rows: list[dict[str, str]]) -> None:
    unknown = [
        (row["alpha3"], row["income_group"])
        for row in rows
        if row["income_group"] not in INCOME_GROUPS | {""}
    ]
    assert unknown == []


def test_antarctica_has_no_region_and_no_income_group(
    rows_by_code: dict[str, dict[str, str]],
) -> None:
    antarctica = rows_by_code["ATA"]
    assert antarctica == {
        "alpha3": "ATA",
        "m49_region": "",
        "m49_subregion": "",
        "itu_region": "",
        "income_group": "",
    }


def test_arab_states_region_is_exactly_the_league_plus_western_sahara(
    rows: list[dict[str, str]],
) -> None:
    arab_states = {row["alpha3"] for row in rows if row["itu_region"] == "Arab States"}
    assert arab_states == LEAGUE_OF_ARAB_STATES | {"ESH"}


def test_cis_region_is_the_nine_itu_d_cis_members(rows: list[dict[str, str]]) -> None:
    assert {row["alpha3"] for row in rows if row["itu_region"] == "CIS"} == ITU_CIS_REGION


@pytest.mark.parametrize(
    ("alpha3", "m49_region", "m49_subregion", "itu_region", "income_group"),
    [
        ("SEN", "Africa", "Sub-Saharan Africa", "Africa", "Lower-middle income"),
        ("FRA", "Europe", "Western Europe", "Europe", "High income"),
        ("EGY", "Africa", "Northern Africa", "Arab States", "Lower-middle income"),
        ("KAZ", "Asia", "Central Asia", "CIS", "Upper-middle income"),
        ("BRA", "Americas", "Latin America and the Caribbean", "Americas", "Upper-middle income"),
        ("IND", "Asia", "Southern Asia", "Asia & Pacific", "Lower-middle income"),
        # Reclassified in the FY2026 edition (July 2025).
        ("CRI", "Americas", "Latin America and the Caribbean", "Americas", "High income"),
        ("NAM", "Africa", "Sub-Saharan Africa", "Africa", "Lower-middle income"),
        # Documented edge cases: M49 puts them in Asia, ITU-D in Europe.
        ("TUR", "Asia", "Western Asia", "Europe", "Upper-middle income"),
        ("GEO", "Asia", "Western Asia", "Europe", "Upper-middle income"),
        ("IRN", "Asia", "Southern Asia", "Asia & Pacific", "Upper-middle income"),
        # Territories: geographic ITU region; the World Bank's Channel Islands economy.
        ("PRI", "Americas", "Latin America and the Caribbean", "Americas", "High income"),
        ("JEY", "Europe", "Northern Europe", "Europe", "High income"),
        ("REU", "Africa", "Sub-Saharan Africa", "Africa", ""),
        ("VEN", "Americas", "Latin America and the Caribbean", "Americas", ""),
    ],
)
def test_known_countries_are_classified_as_their_sources_say(
    rows_by_code: dict[str, dict[str, str]],
    alpha3: str,
    m49_region: str,
    m49_subregion: str,
    itu_region: str,
    income_group: str,
) -> None:
    assert rows_by_code[alpha3] == {
        "alpha3": alpha3,
        "m49_region": m49_region,
        "m49_subregion": m49_subregion,
        "itu_region": itu_region,
        "income_group": income_group,
    }
