"""Read-only catalogues, looked up by key."""


def test_touchpoint_lists_its_mandatory_guardrails(api_as, outsider):
    body = api_as(outsider).get("/api/touchpoints/chat/").json()
    assert body == {
        "key": "chat",
        "name": "Chat",
        "description": "Live chat and chatbot on web and app.",
        "mandatory_guardrails": ["escalation-rate"],
    }


def test_metric_by_key(api_as, outsider):
    body = api_as(outsider).get("/api/metrics/csat/").json()
    assert (body["kind"], body["direction"], body["min_value"], body["max_value"]) == ("mean", "higher", 1, 5)


def test_catalogue_lists(api_as, outsider):
    client = api_as(outsider)
    assert {m["key"] for m in client.get("/api/metrics/").json()["results"]} >= {"conversion", "nps", "fcr"}
    assert "business" in {s["key"] for s in client.get("/api/segments/").json()["results"]}
    categories = client.get("/api/sensitive-categories/").json()["results"]
    assert {c["key"] for c in categories} == {"uses-ai", "personal-data", "changes-price"}


def test_unknown_key_is_404(api_as, outsider):
    assert api_as(outsider).get("/api/metrics/happiness/").status_code == 404


def test_guardrail_policy(api_as, outsider):
    body = api_as(outsider).get("/api/guardrail-policy/").json()
    assert body["max_duration_days"] == 60
    assert body["max_exposure_pct"] == 50
    assert body["mandatory_guardrails"] == ["complaint-rate"]
