"""`eiphub heat-target`: waste-heat recovery targets and source-sink matches (no database).

    eiphub heat-target --input FILE.csv [--dt-min K] [--hours H] [--emission-factor T_PER_MWH]
        [--efficiency E] [--no-inter-plant] [--format json|text]

Input columns: name, kind (source|sink), t_supply_c, t_target_c, duty_kw; optional
plant, hours_per_year, emission_factor_t_per_mwh (per sink: displaced fuel or grid).
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from eiphub.symbiosis.heat import HeatError, heat_target, read_heat_csv


class Command(BaseCommand):
    help = _("Waste-heat recovery: minimum utilities, pinch, source-sink matches, MWh and CO2.")

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, help=_("heat streams CSV file"))
        parser.add_argument(
            "--dt-min", type=float, default=10.0, help=_("minimum approach temperature, K")
        )
        parser.add_argument(
            "--hours", type=float, default=8000.0, help=_("operating hours per year")
        )
        parser.add_argument(
            "--emission-factor",
            type=float,
            default=None,
            help=_("tCO2e per MWh of displaced fuel or electricity"),
        )
        parser.add_argument(
            "--efficiency",
            type=float,
            default=1.0,
            help=_("efficiency of the displaced boiler or heater"),
        )
        parser.add_argument(
            "--no-inter-plant",
            action="store_true",
            help=_("match sources and sinks of the same plant only"),
        )
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, **o):
        if o["dt_min"] < 0 or o["hours"] < 0 or o["efficiency"] <= 0:
            raise CommandError(
                _("--dt-min and --hours must be >= 0, --efficiency > 0"), returncode=2
            )
        allowed = (lambda s, c: s.plant == c.plant) if o["no_inter_plant"] else None
        try:
            streams = read_heat_csv(o["input"])
            r = heat_target(
                streams, o["dt_min"], o["hours"], o["emission_factor"], o["efficiency"], allowed
            )
        except HeatError as exc:
            raise CommandError(
                _("heat data error (%(code)s): %(message)s")
                % {"code": exc.code, "message": str(exc)},
                returncode=2,
            ) from exc
        if o["format"] == "json":
            self.stdout.write(json.dumps(r, ensure_ascii=False, indent=2))
            return
        pinch = (
            "-"
            if r["pinch_shifted_c"] is None
            else (f"{r['pinch_source_c']:g} / {r['pinch_sink_c']:g} degC")
        )
        lines = [
            _(
                "Recoverable heat: %(q).1f kW; heating still needed %(h).1f kW, heat rejected "
                "%(c).1f kW; pinch (source/sink) %(p)s"
            )
            % {
                "q": r["recovered_kw"],
                "h": r["hot_utility_kw"],
                "c": r["cold_utility_kw"],
                "p": pinch,
            },
            _("Matched: %(m).1f kW, %(mwh).1f MWh/year")
            % {"m": r["matched_kw"], "mwh": r["mwh_per_year"]},
        ]
        if r["co2e_t_per_year"] is not None:
            lines.append(_("Avoided: %(co2).1f tCO2e/year") % {"co2": r["co2e_t_per_year"]})
        for mt in r["matches"]:
            lines.append(f"  {mt['source']:>16} -> {mt['sink']:<16} {mt['kw']:10.1f} kW")
        self.stdout.write("\n".join(lines))
