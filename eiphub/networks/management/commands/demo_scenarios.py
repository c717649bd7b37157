"""`eiphub demo-scenarios`: an optimised network scenario and a water study for every demo
park (run after `eiphub demo --no-serve`)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from eiphub.networks.demo import create_demo_scenarios


class Command(BaseCommand):
    help = _("Create an optimised network scenario and a water study for each demo park.")

    def handle(self, *args, **options):
        counts = create_demo_scenarios(stdout=self.stdout)
        self.stdout.write(
            _("%(s)d scenarios, %(w)d water studies, %(h)d heat studies in %(t)s s.")
            % {
                "s": counts["scenarios"],
                "w": counts["water_studies"],
                "h": counts["heat_studies"],
                "t": counts["seconds"],
            }
        )
