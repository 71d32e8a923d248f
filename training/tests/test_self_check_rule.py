# Measure B of bench/priors/preregistered-session14.md: the per-clip self-check rule.
import pytest

import self_check_rule as scr


def test_the_rule_takes_the_long_schedule_only_where_the_self_check_gains():
    long = {"a": {"spline": 20.0, "pnf": 21.0}, "b": {"spline": 20.0, "pnf": 18.0}, "c": {"spline": 30.0, "pnf": 30.5}}
    ref = {"a": {"spline": 20.0, "pnf": 20.1}, "b": {"spline": 20.0, "pnf": 20.2}, "c": {"spline": 30.0, "pnf": 30.0}}
    per, mean = scr.rule_gain({"a": 1.3, "b": -3.0, "c": 0.0}, long, ref)
    assert per == {"a": ("long", 1.0), "b": ("reference", pytest.approx(0.2)), "c": ("reference", 0.0)}  # 0 dB is no gain
    assert mean == pytest.approx(1.2 / 3)


def test_a_clip_without_both_whole_clip_results_is_an_error_not_a_guess():
    with pytest.raises(SystemExit, match="no whole-clip result at the long schedule"):
        scr.rule_gain({"a": 1.0}, {}, {"a": {"spline": 1, "pnf": 1}})
