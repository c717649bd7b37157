"""The vectorised flagging (``flag_arrays``) equals a per-reading reference written here
independently of ``flag_readings``, on random batches (hypothesis)."""

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from eiphub.core import monitoring as M

# few distinct values so that equal runs (stuck) are frequent; NaN and infinities included
VALUES = st.sampled_from([0.0, -0.0, 1.0, 2.5, 7.0, 14.0, 14.5, -1.0, math.nan, math.inf])
STATUS = st.sampled_from([0, 0, 0, M.FLAG_CALIBRATION, M.FLAG_FAULT])


def reference(values, low, high, stuck_run, history, status):
    """Per reading: out of range when NaN or outside [low, high]; stuck when the ``stuck_run``
    readings ending at it (looking back into ``history``) exist and are all equal."""
    seq = list(history) + list(values)
    offset = len(history)
    out = []
    for i, v in enumerate(values):
        f = status[i] if status is not None else 0
        if math.isnan(v) or (low is not None and v < low) or (high is not None and v > high):
            f |= M.FLAG_OUT_OF_RANGE
        j = offset + i
        if stuck_run > 1 and j + 1 >= stuck_run:
            window = seq[j + 1 - stuck_run : j + 1]
            if all(w == window[0] for w in window):  # NaN never equals: never stuck
                f |= M.FLAG_STUCK
        out.append(f)
    return out


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(VALUES, max_size=60),
    history=st.lists(VALUES, max_size=8),
    stuck_run=st.integers(0, 6),
    low=st.one_of(st.none(), st.sampled_from([0.0, 1.0])),
    high=st.one_of(st.none(), st.sampled_from([7.0, 14.0])),
    with_status=st.booleans(),
    data=st.data(),
)
def test_flag_arrays_equals_per_reading_reference(
    values, history, stuck_run, low, high, with_status, data
):
    status = (
        data.draw(st.lists(STATUS, min_size=len(values), max_size=len(values)))
        if with_status
        else None
    )
    got = M.flag_arrays(
        np.asarray(values, dtype=float),
        low=low,
        high=high,
        stuck_run=stuck_run,
        history=history,
        status=status,
    )
    want = reference(values, low, high, stuck_run, history, status)
    assert got.tolist() == want
    # and the per-reading implementation the API used before agrees too
    assert (
        M.flag_readings(
            values, low=low, high=high, stuck_run=stuck_run, history=history, status=status
        )
        == want
    )


def test_flag_arrays_hand_worked():
    # range 0..14, stuck after 3 equal; one stored 7.1 before the batch
    got = M.flag_arrays(
        [7.1, 7.1, 14.5, 7.1, math.nan, math.nan], low=0, high=14, stuck_run=3, history=[7.1],
        status=[0, M.FLAG_CALIBRATION, 0, 0, 0, 0],
    )  # fmt: skip
    R, S, C = M.FLAG_OUT_OF_RANGE, M.FLAG_STUCK, M.FLAG_CALIBRATION
    assert got.tolist() == [0, S | C, R, 0, R, R]
