"""The two trend charts share one continuous month axis: an empty month is a zero."""

from activities.models import Channel
from liaison.dashboard.present import chart_data, month_range

VISIT = Channel.choices[0][0]


def _data(contact_months, activity_months):
    return {
        "contact_months": [{"month": m, "channel": VISIT, "n": 2} for m in contact_months],
        "activity_months": [{"month": m, "kind": "座谈", "n": 1} for m in activity_months],
        "contacts": {"by_channel": dict.fromkeys(Channel.values, 0)},
    }


def test_month_range_crosses_a_year():
    assert month_range({"2024-11", "2025-02"}) == ["2024-11", "2024-12", "2025-01", "2025-02"]
    assert month_range(set()) == []


def test_both_trends_use_every_month_of_either():
    charts = chart_data(_data(["2024-10", "2024-12"], ["2025-02"]))
    axis = ["2024-10", "2024-11", "2024-12", "2025-01", "2025-02"]
    assert charts["contacts"]["labels"] == axis
    assert charts["activities"]["labels"] == axis
    assert charts["contacts"]["datasets"][0]["data"] == [2, 0, 2, 0, 0]
    assert charts["activities"]["datasets"][0]["data"] == [0, 0, 0, 0, 1]
