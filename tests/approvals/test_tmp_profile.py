import pytest
from collections import Counter
from django.db import connection
from django.test.utils import CaptureQueriesContext
from experiments.lifecycle import transition
from tests.experiments.web import https_client
from tests.factories import make_experiment
pytestmark = pytest.mark.django_db

def test_profile(proposer, approver):
    for _ in range(5):
        transition(make_experiment(proposer, approver), "submit", proposer)
    c = https_client(approver)
    c.get("/approvals/")
    with CaptureQueriesContext(connection) as q:
        c.get("/approvals/")
    cnt = Counter(x["sql"][:150] for x in q.captured_queries)
    print("TOTAL", len(q))
    for s, n in cnt.most_common():
        print(n, s)
