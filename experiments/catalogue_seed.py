"""The starting catalogues: real customer-experience metrics, touchpoints, segments and policy.

Loaded by a data migration, so every install starts with them; the admin edits them afterwards.
"""

METRICS = [
    # key, name, kind, direction, unit, min, max, description
    (
        "conversion",
        "Conversion rate",
        "binary",
        "higher",
        "%",
        0,
        1,
        "Share of units that complete the target action (purchase, sign-up, upgrade).",
    ),
    (
        "churn",
        "Churn rate",
        "binary",
        "lower",
        "%",
        0,
        1,
        "Share of customers who cancel or do not renew within the period.",
    ),
    (
        "retention-30d",
        "30-day retention",
        "binary",
        "higher",
        "%",
        0,
        1,
        "Share of customers still active 30 days after exposure.",
    ),
    (
        "csat",
        "Customer satisfaction (CSAT)",
        "mean",
        "higher",
        "points",
        1,
        5,
        "Post-interaction survey score from 1 (very dissatisfied) to 5 (very satisfied).",
    ),
    (
        "nps",
        "Net Promoter Score",
        "nps",
        "higher",
        "points",
        0,
        10,
        "Likelihood to recommend, 0-10; promoters 9-10 minus detractors 0-6.",
    ),
    (
        "ces",
        "Customer effort score",
        "mean",
        "lower",
        "points",
        1,
        7,
        "How hard it was to get the issue handled, 1 (very easy) to 7 (very hard).",
    ),
    (
        "first-response-time",
        "First response time",
        "mean",
        "lower",
        "minutes",
        0,
        None,
        "Minutes from a customer's first contact to the first human or useful automated answer.",
    ),
    (
        "resolution-time",
        "Resolution time",
        "mean",
        "lower",
        "hours",
        0,
        None,
        "Hours from first contact to the case being resolved.",
    ),
    (
        "fcr",
        "First-contact resolution",
        "binary",
        "higher",
        "%",
        0,
        1,
        "Share of cases resolved in the first contact, with no repeat contact within 7 days.",
    ),
    (
        "complaint-rate",
        "Complaint rate",
        "binary",
        "lower",
        "%",
        0,
        1,
        "Share of customers who file a formal complaint.",
    ),
    (
        "escalation-rate",
        "Escalation rate",
        "binary",
        "lower",
        "%",
        0,
        1,
        "Share of cases escalated to a second line or a supervisor.",
    ),
    (
        "cost-per-contact",
        "Cost per contact",
        "mean",
        "lower",
        "EUR",
        0,
        None,
        "Fully loaded handling cost of one contact.",
    ),
    (
        "repeat-contact-rate",
        "Repeat contact rate",
        "binary",
        "lower",
        "%",
        0,
        1,
        "Share of customers who contact again about the same issue within 7 days.",
    ),
    ("refund-rate", "Refund rate", "binary", "lower", "%", 0, 1, "Share of orders refunded in full or in part."),
    # The AI guardrails: a bot must not trap customers. Containment is the bot's own measure; the
    # handoff rate watches that the path to a person stays open (a drop is the harm to guard).
    (
        "containment-rate",
        "Containment rate",
        "binary",
        "higher",
        "%",
        0,
        1,
        "Share of bot conversations resolved without a human, with no repeat contact within 7 days.",
    ),
    (
        "handoff-to-human-rate",
        "Handoff-to-human rate",
        "binary",
        "higher",
        "%",
        0,
        1,
        "Share of bot conversations in which a customer who asked for a person was handed to one.",
    ),
]

TOUCHPOINTS = [
    ("web", "Website", "Public website and logged-in web account."),
    ("app", "Mobile app", "iOS and Android apps."),
    ("email", "Email", "Transactional and service emails."),
    ("chat", "Chat", "Live chat and chatbot on web and app."),
    ("phone", "Phone", "Contact-centre voice line and IVR."),
    ("store", "Store", "Physical stores and service points."),
    ("sms", "SMS", "Text-message notifications and replies."),
    ("delivery", "Delivery", "Delivery and returns: couriers, lockers, pick-up points."),
    ("billing", "Billing", "Invoices, payments and billing statements."),
]

# Every service change on these touchpoints must carry the complaint rate; phone and chat also
# watch escalations, since a worse first answer shows up there first.
TOUCHPOINT_GUARDRAILS = {
    "chat": ["escalation-rate"],
    "phone": ["escalation-rate"],
    "billing": ["refund-rate"],
}
POLICY_GUARDRAILS = ["complaint-rate"]

SEGMENTS = [
    ("new-customers", "New customers", "First 90 days as a customer."),
    ("loyal-customers", "Loyal customers", "Customers for more than two years."),
    ("business", "Business accounts", "Small and medium business customers."),
    ("high-value", "High-value customers", "Top decile by 12-month revenue."),
    ("at-risk", "At-risk customers", "Flagged by the churn model or with an open complaint."),
    ("seniors", "Customers 65+", "Customers aged 65 and over."),
]

SENSITIVE_CATEGORIES = [
    ("uses-ai", "Uses AI", "Automated decisions or generated content shown to customers."),
    ("personal-data", "Uses personal data", "Processes personal data beyond what the service already uses."),
    ("changes-price", "Changes price", "Changes a price, fee, discount or refund a customer pays or gets."),
]

# Categories whose experiments need the AI guardrails: one of these metrics as a guardrail, and a
# disclosure, a named human fallback and a bias note (experiments.contract).
AI_GUARDRAIL_METRICS = {"uses-ai": ["containment-rate", "handoff-to-human-rate"]}

# Areas the policy closes to experiments (name, why, touchpoint keys, keywords). An empty
# touchpoint list means on every touchpoint; the admin edits them afterwards.
NEVER_TEST_AREAS = [
    (
        "Legal terms and notices",
        "Every customer is owed the same legally reviewed wording; a change goes through Legal, not an experiment.",
        [],
        [
            "terms and conditions",
            "terms of service",
            "general terms",
            "privacy notice",
            "privacy policy",
            "cancellation rights",
            "right of withdrawal",
            "legal notice",
        ],
    ),
    (
        "Safety and emergency messages",
        "Everyone must get the message that keeps them safe; no arm may get a weaker or later one.",
        [],
        ["safety warning", "safety message", "safety notice", "product recall", "recall notice", "emergency"],
    ),
    (
        "Debt collection and disconnection notices",
        "Regulated notices to customers in arrears must reach everyone in the same form and on time.",
        ["billing", "email", "sms"],
        ["debt collection", "disconnection notice", "arrears"],
    ),
]


def load_never_test_areas(apps):
    """Seed the never-test list once (idempotent by name; admin edits are kept)."""
    NeverTestArea = apps.get_model("experiments", "NeverTestArea")
    Touchpoint = apps.get_model("experiments", "Touchpoint")
    for name, why, touchpoint_keys, keywords in NEVER_TEST_AREAS:
        area, created = NeverTestArea.objects.get_or_create(
            name=name, defaults={"why": why, "keywords": "\n".join(keywords)}
        )
        if created and touchpoint_keys:
            area.touchpoints.set(Touchpoint.objects.filter(key__in=touchpoint_keys))


def load_ai_guardrails(apps):
    """Ask the AI categories for their guardrails once (idempotent; admin edits are kept)."""
    from django.core.exceptions import FieldDoesNotExist

    Metric = apps.get_model("experiments", "Metric")
    SensitiveCategory = apps.get_model("experiments", "SensitiveCategory")
    try:
        SensitiveCategory._meta.get_field("guardrail_one_of")
    except FieldDoesNotExist:
        return  # an older migration state: 0014_ai_guardrails seeds it later
    for key, metric_keys in AI_GUARDRAIL_METRICS.items():
        category = SensitiveCategory.objects.filter(key=key).first()
        if category is None or category.guardrail_one_of.exists():
            continue
        category.needs_ai_safeguards = True
        category.save(update_fields=["needs_ai_safeguards"])
        category.guardrail_one_of.set(Metric.objects.filter(key__in=metric_keys))


def load(apps):
    """Create or update the seed rows (idempotent; edits to names in the admin are kept)."""
    Metric = apps.get_model("experiments", "Metric")
    Touchpoint = apps.get_model("experiments", "Touchpoint")
    Segment = apps.get_model("experiments", "Segment")
    SensitiveCategory = apps.get_model("experiments", "SensitiveCategory")
    GuardrailPolicy = apps.get_model("experiments", "GuardrailPolicy")

    metrics = {}
    for key, name, kind, direction, unit, low, high, description in METRICS:
        metrics[key], _ = Metric.objects.get_or_create(
            key=key,
            defaults={
                "name": name,
                "kind": kind,
                "direction": direction,
                "unit": unit,
                "min_value": low,
                "max_value": high,
                "description": description,
            },
        )
    for key, name, description in TOUCHPOINTS:
        tp, created = Touchpoint.objects.get_or_create(key=key, defaults={"name": name, "description": description})
        if created:
            tp.mandatory_guardrails.set([metrics[k] for k in TOUCHPOINT_GUARDRAILS.get(key, [])])
    for key, name, description in SEGMENTS:
        Segment.objects.get_or_create(key=key, defaults={"name": name, "description": description})
    for key, name, description in SENSITIVE_CATEGORIES:
        SensitiveCategory.objects.get_or_create(key=key, defaults={"name": name, "description": description})
    if not GuardrailPolicy.objects.exists():
        policy = GuardrailPolicy.objects.create(max_duration_days=60, max_exposure_pct=50)
        policy.mandatory_guardrails.set([metrics[k] for k in POLICY_GUARDRAILS])
    load_ai_guardrails(apps)
    try:
        apps.get_model("experiments", "NeverTestArea")
    except LookupError:
        return  # an older migration state: the never-test migration seeds it later
    load_never_test_areas(apps)
