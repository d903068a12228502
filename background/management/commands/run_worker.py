"""Run a background worker: takes jobs from the database queue, and recovers stopped ones.

``django_tasks_db``'s own ``db_worker`` runs the queue but never notices that a worker died
mid-task (its entry stays "running" for ever). This command runs the same worker in rounds:
before each round it requeues jobs whose heartbeat stopped (:func:`jobs_recover`), then it
runs every task that is ready, then it sleeps ``--interval`` seconds.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.management.commands.db_worker import Worker

from background.services import jobs_recover


class Command(BaseCommand):
    help = "Run a background worker (scoring, cohort runs, report batches, large imports)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between looks at the queue."
        )
        parser.add_argument(
            "--batch", action="store_true", help="Run what is ready, then exit (for cron)."
        )
        parser.add_argument(
            "--worker-id",
            default="",
            help="A name unique in the worker pool (default: host-process-random).",
        )

    def handle(self, *args: Any, interval: float, batch: bool, worker_id: str, **options: Any):
        import os
        import socket

        worker_id = worker_id or f"{socket.gethostname()}-{os.getpid()}-{get_random_string(6)}"
        worker = Worker(
            queue_names=[DEFAULT_TASK_QUEUE_NAME],
            interval=interval,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id[:64],
            excluded_queue_names=[],
        )
        worker.configure_signals()
        # The worker announces every round otherwise; tasks' own start and end stay logged.
        if options["verbosity"] < 2:
            logging.getLogger("django_tasks_db").setLevel(logging.WARNING)
        if options["verbosity"] == 0:
            logging.getLogger("django_tasks").setLevel(logging.WARNING)
        else:
            self.stdout.write(f"Worker {worker.worker_id} started (Ctrl-C to stop).")
        while worker.running:
            jobs_recover()
            worker.run()
            if batch or not worker.running:
                break
            time.sleep(interval)
