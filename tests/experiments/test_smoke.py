from experiments.models import Metric


def test_seed_catalogue_has_core_metrics(db):
    keys = set(Metric.objects.values_list("key", flat=True))
    assert {"conversion", "churn", "csat", "nps", "complaint-rate", "cost-per-contact"} <= keys
