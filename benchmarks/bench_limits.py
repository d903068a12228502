"""Benchmark of refusing hostile imports (issue 16, item 1): how long a refusal takes.

Each hostile file of ``tests/exchange/hostile.py`` is opened and read through
``exchange.reading.open_table`` (what every import does) until it is refused, and
timed against a baseline measured in the same run: reading a genuine 1,000-row XLSX answers
file. For scale, the 60 MB shared-strings bomb is also read once with the unpacked-size
limits lifted (what the platform did before), which shows what the check saves.

Run: ``.venv/bin/python benchmarks/bench_limits.py [--bomb-mb 420]``.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import needs_assessment.testenv  # noqa: E402, F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "needs_assessment.settings")

import django  # noqa: E402

django.setup()

from _timing import time_callable  # noqa: E402
from django.conf import settings  # noqa: E402
from django.test import override_settings  # noqa: E402

from exchange.limits import check_json_text  # noqa: E402
from exchange.reading import ImportFileError, open_table  # noqa: E402
from tests.exchange import hostile  # noqa: E402
from tests.exchange.helpers import xlsx_bytes  # noqa: E402


def read_all(data: bytes, name: str = "answers.xlsx") -> str:
    """Open and read the file as an import does; the refusal message, or "read"."""
    try:
        table = open_table(io.BytesIO(data), name=name, size=len(data))
        for _row in table.rows:
            pass
    except ImportFileError as error:
        return str(error)
    return "read"


def refuse_json(data: bytes) -> str:
    try:
        check_json_text(
            data, max_bytes=settings.API_JSON_MAX_BYTES, max_depth=settings.API_JSON_MAX_DEPTH
        )
    except ValueError as error:
        return str(error)
    return "accepted"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bomb-mb", type=int, default=420, help="unpacked size of the bomb")
    parser.add_argument("--repeat", type=int, default=10)
    arguments = parser.parse_args()

    genuine = xlsx_bytes(
        [["question_code", "value"], *[[f"Q.{i}", str(i % 6)] for i in range(1000)]]
    )
    bomb = hostile.shared_strings_bomb(unpacked_mb=arguments.bomb_mb)
    deep = hostile.deep_json(100_000)
    declaring = hostile.sheet_declaring(3_000_000)
    far_row = hostile.sheet_with_row_number(3_000_000)
    entities = hostile.sheet_with_entities()
    long_csv = b"question_code,value\r\n" + b"GOV.1.a,3\r\n" * 3_000_000
    lying = hostile.sheet_lying_about_its_size(400_000)
    cases: dict[str, Callable[[], str]] = {
        "genuine 1,000-row XLSX (baseline)": lambda: read_all(genuine),
        f"shared-strings bomb ({arguments.bomb_mb} MB unpacked)": lambda: read_all(bomb),
        "sheet declaring 3,000,000 rows": lambda: read_all(declaring),
        "row numbered 3,000,000 (no dimension)": lambda: read_all(far_row),
        "XML entity declarations": lambda: read_all(entities),
        "CSV of 3,000,000 rows (30 MB)": lambda: read_all(long_csv, "answers.csv"),
        # The worst case left: a sheet under the part limit whose dimension lies is parsed
        # up to the row limit before it is refused.
        "400,000-row sheet declaring A1:B2": lambda: read_all(lying),
        "JSON 100,000 deep": lambda: refuse_json(deep),
    }
    baseline = None
    for label, function in cases.items():
        outcome = function()
        timing = time_callable(function, repeat=arguments.repeat, warmup=1)
        baseline = baseline or timing.median
        print(timing.describe(label) + f"  ratio {timing.median / baseline:.2f}x")
        print(f"    -> {outcome[:150]}")

    small_bomb = hostile.shared_strings_bomb(unpacked_mb=60)
    unbounded = dict(IMPORT_MAX_UNPACKED_BYTES=2**40, IMPORT_MAX_UNPACKED_PART_BYTES=2**40)
    with override_settings(**unbounded):
        outcome = read_all(small_bomb)
        timing = time_callable(lambda: read_all(small_bomb), repeat=1, warmup=0)
    print(f"    -> {outcome[:150]}")
    print(
        timing.describe("60 MB bomb read without the unpacked-size limits (before)")
        + f"  ratio {timing.median / baseline:.2f}x"
    )
    print(f"    bomb file sizes: {len(bomb):,} bytes ({arguments.bomb_mb} MB unpacked)")


if __name__ == "__main__":
    main()
