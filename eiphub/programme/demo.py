"""Demo extension: compute the readiness ranking and the investor opportunities of the demo
parks once, stored as a succeeded ``programme.readiness`` job (idempotent: a fresh stored
result is kept)."""

from __future__ import annotations

import time

from eiphub.registry.models import Park

from . import services as S


def load(stdout=None) -> dict:
    if not Park.objects.exists():
        return {}
    result, fresh = S.stored_result()
    if result is not None and not fresh.get("stale"):
        return {}
    t0 = time.perf_counter()
    job = S.run_now()
    if stdout is not None:
        stdout.write(
            f"Programme readiness ranking: {len(job.result['parks'])} parks "
            f"({time.perf_counter() - t0:.1f} s)\n"
        )
    return {"programme_ranked_parks": len(job.result["parks"])}
