"""A wastewater station on park K1 of the test world."""

from eiphub.monitoring import services as S
from eiphub.monitoring.models import Station

T0 = 1_767_200_400  # 2026-01-01 00:00 local (17:00 UTC the day before); QCVN 40:2025 applies


def make_station(w, code="K1-WWTP", **kw):
    st = Station.objects.create(
        park=w.k1, code=code, name="Trạm quan trắc XLNT K1", kind="wastewater", column="B", **kw
    )
    for p in ("cod", "ph", "tss"):
        S.add_series(st, p)
    return st
