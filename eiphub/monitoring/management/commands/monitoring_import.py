"""`eiphub monitoring-import STATION FILE [FILE ...]`: ingest data-logger files (CSV/XLSX wide
layout or the TXT transmission format) for one station through the one ingestion path."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from eiphub.monitoring import services as S
from eiphub.monitoring.models import Station


class Command(BaseCommand):
    help = "Ingest data-logger files for a monitoring station."

    def add_arguments(self, parser):
        parser.add_argument("station", help="station code")
        parser.add_argument("files", nargs="+")
        parser.add_argument("--no-email", action="store_true", help="do not e-mail alerts")

    def handle(self, *args, station, files, no_email, **kw):
        st = Station.objects.filter(code=station).first()
        if st is None:
            raise CommandError(_("No station %(code)s.") % {"code": station})
        for name in files:
            path = Path(name)
            try:
                rows = S.parse_logger_file(path.name, path.read_bytes())
            except (OSError, S.FileError) as exc:
                raise CommandError(f"{path.name}: {exc}")
            res = S.ingest(st, rows, use_copy=True, notify=not no_email)
            self.stdout.write(f"{path.name}: {res.as_dict()}")
