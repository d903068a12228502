"""Batch generation of country reports: data and PDFs in worker processes, shared data once.

:func:`reports_generate` forks a ``ProcessPoolExecutor`` whose workers each build a country's
:class:`~reports.data.CountryReport` (with their own database connection) and render and
write its PDF (pure Python, CPU-bound: one process per core sidesteps the GIL), so both parts
run on every core. What the reports of a batch share (:mod:`reports.data.shared`: official
values and peer groups, the catalogue, the cohort's size) is read once, while this process
builds and renders the first report before the workers fork; they inherit it, with the report
styles and parsed texts of :mod:`reports.pdf`. Inside a transaction (tests) the workers could
not see its rows: the data is built here and only rendering is left to the workers.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from django.db import connections
from tqdm import tqdm

from charts.fonts import register_fonts
from charts.texts import report_languages
from reports.data import DEFAULT_BUDGET, CountryReport, ReportError, country_report_data
from reports.data.shared import batch_shared
from reports.pdf import country_report_pdf
from scoring.models import RunKind, RunStatus, ScoreRun
from surveys.models import Country

__all__ = [
    "BatchResult",
    "build_country_report",
    "countries_with_scores",
    "report_file_name",
    "reports_generate",
    "write_country_report",
]


@dataclass(frozen=True)
class BatchResult:
    """What a batch wrote, what it skipped (and why), and how long it took."""

    written: tuple[Path, ...]
    skipped: tuple[tuple[str, str], ...]
    seconds: float
    workers: int
    #: Whether the workers built the report data too (not possible inside a transaction).
    data_in_workers: bool = False


def report_file_name(alpha3: str, round: int, language: str) -> str:
    """File name of a country report, e.g. ``SEN-2026-fr.pdf``.

    Examples
    --------
    >>> report_file_name("SEN", 2026, "fr")
    'SEN-2026-fr.pdf'
    """
    return f"{alpha3}-{round}-{language}.pdf"


def write_country_report(report: CountryReport, directory: str) -> tuple[str, float]:
    """Render ``report`` and write it into ``directory``; returns the path and render seconds.

    Runs in worker processes: no database access. The file appears complete or not at all
    (written to a temporary name, then renamed).
    """
    started = time.perf_counter()
    pdf = country_report_pdf(report)
    path = Path(directory) / report_file_name(report.alpha3, report.round, report.language)
    temporary = path.with_suffix(".pdf.part")
    temporary.write_bytes(pdf)
    temporary.replace(path)
    return str(path), time.perf_counter() - started


def build_country_report(
    country_id: int, language: str, round: int, budget: float, directory: str
) -> tuple[str | None, str]:
    """Build one country's report data and write its PDF (in a worker process, with its own
    database connection). Returns the path, or None and why the country was skipped."""
    country = Country.objects.get(pk=country_id)
    try:
        report = country_report_data(country=country, language=language, round=round, budget=budget)
    except ReportError as error:
        return None, str(error)
    path, _seconds = write_country_report(report, directory)
    return path, ""


def countries_with_scores(round: int, alpha3: Sequence[str] | None = None) -> list[Country]:
    """Countries with a complete score run of an assessment of ``round``, by name."""
    ids = ScoreRun.objects.filter(
        round=round, kind=RunKind.SINGLE, status=RunStatus.COMPLETE, assessment__isnull=False
    ).values("assessment__country_id")
    countries = Country.objects.filter(pk__in=ids)
    if alpha3:
        countries = countries.filter(alpha3__in=[code.upper() for code in alpha3])
    return list(countries.order_by("name"))


def reports_generate(
    *,
    round: int,
    language: str,
    out_dir: Path,
    workers: int | None = None,
    countries: Sequence[str] | None = None,
    budget: float = DEFAULT_BUDGET,
    progress: bool = True,
    on_progress: Callable[[int, int], None] | None = None,
) -> BatchResult:
    """Write the report of every country scored in ``round`` into ``out_dir``, in parallel.

    Parameters
    ----------
    round : the assessment round (year).
    language : a language of ``settings.LANGUAGES`` ("en", "fr").
    out_dir : created if missing; files are named by :func:`report_file_name`.
    workers : processes rendering PDFs; default one per CPU core.
    countries : ISO alpha-3 codes to limit the batch to; default every scored country.
    progress : show a tqdm progress bar on standard error.
    on_progress : called with (reports finished, reports in all) as the batch advances (the
        web's report batches show it).

    Raises
    ------
    ReportError
        For an unknown language or an output path that is not a directory.
    """
    if language not in report_languages():
        raise ReportError(
            f"Unknown language {language!r}; choose one of {', '.join(report_languages())}."
        )
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ReportError(f"--out {out_dir} exists and is not a directory.")
    out_dir.mkdir(parents=True, exist_ok=True)
    workers = max(1, workers or os.cpu_count() or 1)
    started = time.perf_counter()
    skipped: list[tuple[str, str]] = []
    written: list[Path] = []
    # Forked workers inherit Django already set up and leave through os._exit, so they never
    # close (or use) the parent's database connection. Closing it anyway before the workers
    # start keeps them from holding its socket; inside a transaction (tests) it must stay.
    # A "fork" pool starts every worker on the first submit, before the batch's queries.
    in_transaction = False
    for connection in connections.all(initialized_only=True):
        # An in-memory SQLite database (tests) lives in this process only.
        in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
        if connection.in_atomic_block or in_memory:
            in_transaction = True
        else:
            connection.close()
    # Each worker builds its countries' data as well as rendering them, so both parts run
    # on every core (building the data here first capped two workers at 1.5 times one).
    # Inside a transaction (tests) the workers could not see its rows: build here instead.
    data_in_workers = not in_transaction
    with batch_shared():
        chosen = countries_with_scores(round, countries)
        first: list[Path] = []
        if data_in_workers and chosen:
            # One report built and rendered here before the workers fork: they inherit what
            # every report of the batch reads alike (reports.data.shared: official values and
            # peer groups, the catalogue, the cohort's size), the report styles and parsed
            # texts, and the registered fonts, instead of each worker reading them again.
            country, chosen = chosen[0], chosen[1:]
            try:
                report = country_report_data(
                    country=country, language=language, round=round, budget=budget
                )
            except ReportError as error:
                skipped.append((country.alpha3, str(error)))
            else:
                first.append(Path(write_country_report(report, str(out_dir))[0]))
        if data_in_workers:
            # Forked workers must not share this process's database connection (the batch's
            # queries above opened it again): each opens its own.
            connections.close_all()
        written += first
        _render(
            chosen,
            language=language,
            round=round,
            budget=budget,
            out_dir=out_dir,
            workers=workers,
            data_in_workers=data_in_workers,
            progress=progress,
            on_progress=on_progress,
            done=(len(first) + len(skipped), len(chosen) + len(first) + len(skipped)),
            written=written,
            skipped=skipped,
        )
    return BatchResult(
        written=tuple(sorted(written)),
        skipped=tuple(skipped),
        seconds=time.perf_counter() - started,
        workers=workers,
        data_in_workers=data_in_workers,
    )


def _render(
    chosen: Sequence[Country],
    *,
    language: str,
    round: int,
    budget: float,
    out_dir: Path,
    workers: int,
    data_in_workers: bool,
    progress: bool,
    on_progress: Callable[[int, int], None] | None,
    done: tuple[int, int],
    written: list[Path],
    skipped: list[tuple[str, str]],
) -> None:
    """Render ``chosen`` in a pool of ``workers`` forked processes; ``done`` is (reports
    finished already, reports in all) for the progress shown."""
    # Fonts registered here are inherited by the forked workers: otherwise each of them parses
    # the TrueType files again before its first report (about a second under load).
    register_fonts()
    finished, total = done
    context = multiprocessing.get_context("fork")
    with (
        ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool,
        tqdm(unit="report", disable=not progress, total=total, initial=finished) as bar,
    ):

        def advance() -> None:
            nonlocal finished
            finished += 1
            bar.update(1)
            if on_progress is not None:
                on_progress(finished, total)

        if finished and on_progress is not None:
            on_progress(finished, total)
        futures: dict[Future, str] = {}
        for country in chosen:
            if data_in_workers:
                future = pool.submit(
                    build_country_report, country.pk, language, round, budget, str(out_dir)
                )
                futures[future] = country.alpha3
                continue
            try:
                report = country_report_data(
                    country=country, language=language, round=round, budget=budget
                )
            except ReportError as error:
                skipped.append((country.alpha3, str(error)))
                advance()
                continue
            futures[pool.submit(write_country_report, report, str(out_dir))] = country.alpha3
        for future in as_completed(futures):
            path, detail = future.result()
            if path is None:
                skipped.append((futures[future], str(detail)))
            else:
                written.append(Path(path))
            advance()
