"""`eiphub worker [--concurrency N] [--pool prefork|solo|threads] [--beat]`: a Celery
worker for the background jobs (on the broker of CELERY_BROKER_URL)."""

import socket

from django.conf import settings
from django.core.management.base import BaseCommand


def worker_argv(*, concurrency, pool, loglevel, hostname, beat, queues="") -> list[str]:
    argv = ["worker", "-l", loglevel, "-P", pool, "-n", hostname]
    if concurrency:
        argv += ["-c", str(concurrency)]
    if queues:
        argv += ["-Q", queues]
    if beat:
        argv.append("-B")
    if settings.CELERY_BROKER_URL.startswith("filesystem"):
        # no broadcast on the filesystem transport: no mingle/gossip/remote control
        argv += ["--without-mingle", "--without-gossip", "--without-heartbeat"]
    return argv


class Command(BaseCommand):
    help = "Run a Celery worker for the background jobs."

    def add_arguments(self, parser):
        parser.add_argument(
            "--concurrency", "-c", type=int, default=0, help="processes (default: CPUs)"
        )
        parser.add_argument(
            "--pool", "-P", default="prefork", choices=["prefork", "solo", "threads"]
        )
        parser.add_argument("--loglevel", "-l", default="info")
        parser.add_argument("--hostname", "-n", default=f"eiphub@{socket.gethostname()}")
        parser.add_argument(
            "--beat", "-B", action="store_true", help="also run the scheduler (one machine only)"
        )

    def handle(self, *args, concurrency, pool, loglevel, hostname, beat, **options):
        from eiphub.jobs.celery_app import app

        app.worker_main(
            worker_argv(
                concurrency=concurrency, pool=pool, loglevel=loglevel, hostname=hostname, beat=beat
            )
        )
