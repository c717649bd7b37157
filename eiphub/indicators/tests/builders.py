"""Small hand-built parks for the engine tests (plain data, no database)."""

from __future__ import annotations

from datetime import date

from eiphub.indicators.data import (
    Certificate,
    Declaration,
    EnterpriseInfo,
    ParkInfo,
    ParkSnapshot,
    RecpMeasure,
    Symbiosis,
)

YEAR = 2024
VALID_14001 = Certificate("ISO 14001:2015", date(2022, 1, 1), date(2025, 12, 31))
VALID_9001 = Certificate("ISO 9001", date(2022, 1, 1), date(2026, 6, 30))
EXPIRED_14001 = Certificate("ISO 14001", date(2020, 7, 1), date(2023, 6, 30))

DEVELOPER_FACTS = ("37.1.a", "37.1.b", "37.1.c", "37.1.d", "37.1.đ")


def enterprises(n: int = 10, **fields) -> list[EnterpriseInfo]:
    return [
        EnterpriseInfo(id=f"E{i}", name=f"Công ty {i}", compliance_ok=True, **fields)
        for i in range(1, n + 1)
    ]


def implemented(mid: str, eid: str, **kw) -> RecpMeasure:
    kw.setdefault("savings", {"energy.electricity.grid": 12000.0})
    kw.setdefault("implemented_on", date(2024, 3, 1))
    return RecpMeasure(mid, eid, status="implemented", **kw)


def eip_park(year: int = YEAR) -> ParkSnapshot:
    """10 enterprises; E1, E2 have implemented RECP measures with savings (20%),
    E3 only a planned one; E5 and E6 run an operating symbiosis and both hold
    valid ISO 14001 and ISO 9001; the developer's facts are declared with
    evidence.  Every Art. 37 criterion is met."""
    ents = enterprises()
    for e in ents[4:6]:
        e.iso_certificates = [VALID_14001, VALID_9001]
    return ParkSnapshot(
        park=ParkInfo("KCN-TN", "KCN Trà Nóc", total_area_ha=300.0, green_area_ha=30.0),
        year=year,
        enterprises=ents,
        recp_measures=[
            implemented("M1", "E1"),
            implemented("M2", "E2", savings={}, savings_vnd=5e7),
            RecpMeasure("M3", "E3", status="planned", savings={"water.fresh": 500.0}),
        ],
        symbioses=[
            Symbiosis(
                "S1",
                ["E5", "E6"],
                "energy.heat.waste_heat",
                "operating",
                started_on=date(2023, 5, 1),
                realised_quantity=1200.0,
                unit="GJ",
            ),
        ],
        declared={code: Declaration(True, [f"doc-{code}.pdf"]) for code in DEVELOPER_FACTS},
    )
