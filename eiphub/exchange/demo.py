"""Demo extension: run the matcher over the demo province's published listings,
as a board would after enterprises publish them (creates identified matches and
notifications; idempotent, since matching upserts)."""

from eiphub.registry.models import Province

from .services import run_matching


def load(stdout=None) -> dict:
    from eiphub.registry.demo import PROVINCE_CODE

    from . import demo_nego  # issue 17: both sides of the exchange

    province = Province.objects.filter(code=PROVINCE_CODE).first()
    if province is None:
        return {}
    extra = demo_nego.prepare(stdout)
    run = run_matching(province)
    extra.update(demo_nego.finish(stdout))
    if stdout is not None:
        stdout.write(f"Demo matching: {run.created} new, {run.updated} updated matches")
    from .demo_market import load_market  # issue 17: evidence and a saved search

    market = load_market(province)
    return {
        "matches_created": run.created,
        **extra,
        **{f"market_{k}": v for k, v in market.items()},
    }
