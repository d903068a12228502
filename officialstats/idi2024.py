"""Adapter for the ITU ICT Development Index 2024 data shipped in ``data/itu-idi-2024/``.

The data (see that folder's README for source, method and checks) come as one wide row per
economy. :func:`statistics_file_text` turns them into the platform's statistics file format
(``docs/official-statistics.md``) and :func:`scoring_table_text` into the table
``manage.py score --framework frameworks/itu-idi-2024.yaml --data …`` reads. Run
``python -m officialstats.idi2024`` to rewrite both generated files; a test checks that the
shipped files equal what this module produces, so they cannot drift from the originals.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "DATA_DIR",
    "INDICATORS",
    "RAW_COLUMNS",
    "SOURCE_CODE",
    "read_rows",
    "scoring_table_text",
    "statistics_file_text",
]

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "itu-idi-2024"
SOURCE_CODE = "itu-idi-2024"
#: Reference year of the raw values ("2022 unless flagged", README); lagged values are 2021's.
REFERENCE_YEAR = 2022
LAGGED_YEAR = 2021
EDITION_YEAR = 2024

#: The ten raw indicators: column (also the indicator and question code), name, unit code.
INDICATORS: tuple[tuple[str, str, str], ...] = (
    ("internet_users_pct", "Individuals using the Internet", "percent"),
    ("households_internet_pct", "Households with Internet access at home", "percent"),
    (
        "mobile_broadband_per100",
        "Active mobile-broadband subscriptions per 100 inhabitants",
        "per_100_inhabitants",
    ),
    ("cov_3g_pct", "Population covered by at least a 3G mobile network", "percent"),
    ("cov_4g_pct", "Population covered by at least a 4G/LTE mobile network", "percent"),
    (
        "mobile_traffic_gb",
        "Mobile-broadband traffic per mobile-broadband subscription",
        "gb_per_subscription",
    ),
    (
        "fixed_traffic_gb",
        "Fixed-broadband traffic per fixed-broadband subscription",
        "gb_per_subscription",
    ),
    (
        "mobile_basket_gni_pct",
        "Mobile data and voice high-consumption basket price",
        "percent_of_gni_per_capita",
    ),
    ("fixed_basket_gni_pct", "Fixed-broadband basket price", "percent_of_gni_per_capita"),
    ("mobile_owners_pct", "Individuals owning a mobile phone", "percent"),
)
RAW_COLUMNS = tuple(column for column, _name, _unit in INDICATORS)
#: Published scores: column, indicator code, name, year.
SCORES: tuple[tuple[str, str, str, int], ...] = (
    ("uc_published", "uc_score", "IDI pillar: Universal connectivity (published score)", 2024),
    ("mc_published", "mc_score", "IDI pillar: Meaningful connectivity (published score)", 2024),
    ("idi_published", "idi_score", "ICT Development Index (published score)", 2024),
    ("idi_2023_published", "idi_score", "ICT Development Index (published score)", 2023),
)
#: The report's region and income-group codes, written out as the platform names them.
REGIONS = {
    "AFR": "Africa",
    "AMS": "Americas",
    "ARB": "Arab States",
    "ASP": "Asia & Pacific",
    "CIS": "CIS",
    "EUR": "Europe",
}
INCOME_GROUPS = {
    "LI": "Low income",
    "LMI": "Lower-middle income",
    "UMI": "Upper-middle income",
    "HI": "High income",
    "": "",
}
SOURCE = {
    "source": SOURCE_CODE,
    "name": "ICT Development Index 2024",
    "publisher": "International Telecommunication Union (ITU)",
    "edition": "Measuring digital development – The ICT Development Index 2024",
    "year": str(EDITION_YEAR),
    # The report's own licence statement ("© ITU 2024 Some rights reserved").
    "licence": "© ITU 2024, CC BY-NC-SA 3.0 IGO",
    "attribution": (
        "ITU, Measuring digital development – The ICT Development Index 2024 (International "
        "Telecommunication Union, Geneva, 2024), Annex 2 and Table 1. Reference year 2022 "
        "unless flagged."
    ),
    "url": "https://www.itu.int/dms_pub/itu-d/opb/ind/d-ind-ict_mdd-2024-3-pdf-e.pdf",
}


def read_rows(directory: Path = DATA_DIR) -> list[dict[str, str]]:
    """The rows of ``idi2024_indicators.csv``, as published (170 economies)."""
    with open(directory / "idi2024_indicators.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _flags(cell: str) -> set[str]:
    return {column for column in cell.split(";") if column}


def statistics_file_text(rows: Sequence[dict[str, str]]) -> str:
    """The IDI rows as a statistics file (long format, one value per row)."""
    out = io.StringIO()
    for key, value in SOURCE.items():
        out.write(f"# {key}: {value}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "iso3",
            "economy",
            "region",
            "income_group",
            "indicator",
            "indicator_name",
            "unit",
            "year",
            "value",
            "estimate",
            "lagged",
        ]
    )
    for row in rows:
        economy = [
            row["iso3"],
            row["economy"],
            REGIONS[row["itu_region"]],
            INCOME_GROUPS[row["income_group"]],
        ]
        estimated, lagged = _flags(row["estimate_flags"]), _flags(row["lagged_2021_flags"])
        for column, name, unit in INDICATORS:
            if not row[column]:
                continue  # "n.a." in the report: nothing is imputed
            year = LAGGED_YEAR if column in lagged else REFERENCE_YEAR
            writer.writerow(
                economy
                + [column, name, unit, year, row[column]]
                + ["1" if column in estimated else "", "1" if column in lagged else ""]
            )
        for column, code, name, year in SCORES:
            if row[column]:
                writer.writerow(economy + [code, name, "score", year, row[column], "", ""])
    return out.getvalue()


def scoring_table_text(rows: Sequence[dict[str, str]], *, complete_only: bool) -> str:
    """The raw values as a ``manage.py score`` table: first column the ISO3 code."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["iso3", *RAW_COLUMNS])
    for row in rows:
        values = [row[column] for column in RAW_COLUMNS]
        if complete_only and not all(values):
            continue
        writer.writerow([row["iso3"], *values])
    return out.getvalue()


#: Generated files, beside the originals.
GENERATED = {
    "idi2024.statistics.csv": lambda rows: statistics_file_text(rows),
    "idi2024_score_input_complete.csv": lambda rows: scoring_table_text(rows, complete_only=True),
    "idi2024_score_input_all.csv": lambda rows: scoring_table_text(rows, complete_only=False),
}


def main() -> None:
    rows = read_rows()
    for name, build in GENERATED.items():
        (DATA_DIR / name).write_text(build(rows), encoding="utf-8")
        print(f"wrote {DATA_DIR / name}")


if __name__ == "__main__":
    main()
