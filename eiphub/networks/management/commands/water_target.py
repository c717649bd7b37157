"""`eiphub water-target`: minimum freshwater, pinch and a reuse network (no database).

    eiphub water-target --input FILE.csv [--no-inter-plant] [--format json|text]
        [--freshwater-ppm C] [--regeneration-ppm C [--removal-ratio R]
        [--regeneration-cost X] [--freshwater-cost Y]] [--out FILE]

Input columns: process, plant (optional), load_kg_per_h, cin_max_ppm, cout_max_ppm.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from eiphub.symbiosis.water import Regeneration, WaterError, read_water_csv, water_target


class Command(BaseCommand):
    help = _("Water pinch: minimum freshwater and wastewater, pinch and a reuse network.")

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, help=_("limiting data CSV file"))
        parser.add_argument(
            "--no-inter-plant", action="store_true", help=_("reuse water only within a plant")
        )
        parser.add_argument("--format", choices=["json", "text"], default="text")
        parser.add_argument("--freshwater-ppm", type=float, default=0.0)
        parser.add_argument(
            "--regeneration-ppm",
            type=float,
            default=None,
            help=_("outlet concentration of a regeneration unit"),
        )
        parser.add_argument("--removal-ratio", type=float, default=None)
        parser.add_argument(
            "--regeneration-cost",
            type=float,
            default=0.0,
            help=_("cost per t regenerated, relative to --freshwater-cost"),
        )
        parser.add_argument("--out", default=None, help=_("write the result to this file"))

    def handle(self, *args, **o):
        if o["freshwater_ppm"] < 0:
            raise CommandError(_("--freshwater-ppm must be >= 0"), returncode=2)
        regen = None
        if o["regeneration_ppm"] is not None:
            rr = o["removal_ratio"]
            if o["regeneration_ppm"] < 0 or (rr is not None and not 0 <= rr <= 1):
                raise CommandError(
                    _("--regeneration-ppm must be >= 0 and --removal-ratio in [0, 1]"),
                    returncode=2,
                )
            regen = Regeneration(o["regeneration_ppm"], rr, o["regeneration_cost"])
        try:
            processes = read_water_csv(o["input"])
            result = water_target(
                processes,
                inter_plant=not o["no_inter_plant"],
                freshwater_ppm=o["freshwater_ppm"],
                regeneration=regen,
            )
        except WaterError as exc:
            raise CommandError(
                _("water data error (%(code)s): %(message)s")
                % {"code": exc.code, "message": str(exc)},
                returncode=2,
            ) from exc
        if o["format"] == "json":
            text = json.dumps(result, ensure_ascii=False, indent=2)
        else:
            text = self._text(result)
        if o["out"]:
            with open(o["out"], "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
        else:
            self.stdout.write(text)

    def _text(self, r: dict) -> str:
        pinch = "-" if r["pinch_ppm"] is None else f"{r['pinch_ppm']:g} ppm"
        lines = [
            _("Minimum freshwater: %(fw).3f t/h (without reuse %(no).3f t/h)")
            % {"fw": r["freshwater_t_per_h"], "no": r["no_reuse_freshwater_t_per_h"]},
            _("Minimum wastewater: %(ww).3f t/h") % {"ww": r["wastewater_t_per_h"]},
            _("Pinch: %(pinch)s") % {"pinch": pinch},
        ]
        if r["regenerated_t_per_h"]:
            lines.append(_("Regenerated: %(r).3f t/h") % {"r": r["regenerated_t_per_h"]})
        for p in r["target"]["plants"]:
            lines.append(
                _("  plant %(plant)s: %(fw).3f t/h, pinch %(pinch)s")
                % {
                    "plant": p["plant"] or "-",
                    "fw": p["freshwater_t_per_h"],
                    "pinch": "-" if p["pinch_ppm"] is None else f"{p['pinch_ppm']:g} ppm",
                }
            )
        lines.append(_("Flows (t/h):"))
        for f in r["flows"]:
            lines.append(f"  {f['from']:>16} -> {f['to']:<16} {f['t_per_h']:10.3f}")
        return "\n".join(lines)
