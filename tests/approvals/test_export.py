import csv
import io

import pytest

from approvals.export import HEADER, decisions_csv
from approvals.services import decide

pytestmark = pytest.mark.django_db


def test_decisions_export_as_csv(pending, approver, time_machine):
    time_machine.move_to("2026-03-02 09:30:00+00:00", tick=False)
    decide(pending, approver, "request_changes", '=HYPERLINK("x") add the segment, please')
    rows = list(csv.reader(io.StringIO(decisions_csv())))
    assert rows[0] == HEADER
    assert rows[1] == [
        pending.key,
        pending.title,
        str(pending.approval_requests.get().pk),
        "proposal",
        "1",
        "alex_approver",
        "Alex Approver",
        "named_approver",
        "request_changes",
        '\'=HYPERLINK("x") add the segment, please',  # a spreadsheet must not run it
        "2026-03-02T09:30:00+00:00",
    ]
    assert len(rows) == 2


@pytest.mark.parametrize("start", ["\t", "\r", "+", "-", "@"])
def test_decisions_export_neutralises_every_formula_start(pending, approver, start):
    decide(pending, approver, "request_changes", "Add the segment, please")
    # Written directly: the forms strip surrounding whitespace, an import or an old row need not.
    type(pending).objects.filter(pk=pending.pk).update(title=f'{start}=HYPERLINK("x") chat greeting')
    rows = list(csv.DictReader(io.StringIO(decisions_csv())))
    assert rows[0]["title"] == f'\'{start}=HYPERLINK("x") chat greeting'
