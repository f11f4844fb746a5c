"""Tables built to trip each disclosure rule."""

import pytest

from opendtm.publishing.disclosure import Suppressed, reidentification_risk, suppress


def test_small_cells_are_hidden_and_zeros_are_not():
    hidden = suppress({"a": 3, "b": 0, "c": 5, "d": None}, threshold=5)
    assert hidden == {"a": Suppressed.PRIMARY}


def test_a_row_total_cannot_give_a_hidden_part_away():
    # total = f + m: with f hidden alone, total - m would reveal it.
    cells = {"total": 40, "f": 2, "m": 38}
    hidden = suppress(cells, threshold=5, sums=[["total", "f", "m"]])
    assert hidden == {"f": Suppressed.PRIMARY, "m": Suppressed.COMPLEMENTARY}


def test_complementary_suppression_reaches_across_rows_and_columns():
    # Two sites x (f, m), with row totals and column totals, one small cell.
    cells = {
        ("s1", "f"): 3, ("s1", "m"): 30, ("s1", "t"): 33,
        ("s2", "f"): 20, ("s2", "m"): 25, ("s2", "t"): 45,
        ("all", "f"): 23, ("all", "m"): 55, ("all", "t"): 78,
    }  # fmt: skip
    rows = [[(site, "t"), (site, "f"), (site, "m")] for site in ("s1", "s2", "all")]
    columns = [[("all", sex), ("s1", sex), ("s2", sex)] for sex in ("f", "m", "t")]
    hidden = suppress(cells, threshold=5, sums=rows + columns)
    assert hidden[("s1", "f")] == Suppressed.PRIMARY
    for group in rows + columns:
        assert sum(key in hidden for key in group) != 1, group
    assert ("all", "t") not in hidden  # the grand total stays published


def test_nothing_small_means_nothing_hidden():
    assert suppress({"t": 10, "f": 5, "m": 5}, threshold=5, sums=[["t", "f", "m"]]) == {}


def test_unique_records_carry_the_risk_and_the_variable_that_makes_them_unique_is_named():
    records = [{"lga": "Bama", "sex": "f", "age": "18-59"} for _ in range(6)]
    records += [{"lga": "Bama", "sex": "f", "age": "60+"}]  # unique: risk 1
    records += [{"lga": "Dikwa", "sex": "f", "age": "18-59"} for _ in range(3)]
    risk = reidentification_risk(records, keys=["lga", "sex", "age"], k=3)
    assert risk.global_risk == pytest.approx((6 / 6 + 1 + 3 / 3) / 10)
    assert risk.below_k == [6]
    assert risk.exceeds(0.03)
    # Only leaving out age makes the older woman blend in with the other Bama women.
    assert risk.riskiest_variables()[0] == "age"
    assert risk.by_variable["age"] < risk.by_variable["sex"] == risk.global_risk


def test_no_records_no_risk():
    assert reidentification_risk([], keys=["lga"]).global_risk == 0
