"""The demo's touchpoint charters: phone and chat name their signal owners and response owners
(the IVR shortcut the checks stop opens a response for Omar); the other touchpoints show as gaps."""

from approvals.models import TouchpointCharter
from experiments.models import CharterDuty, Duty, Touchpoint

# touchpoint key -> (owner, [(duty, username)])
DEMO_CHARTERS = {
    "phone": ("alex", [(Duty.SIGNAL_OWNER, "sam"), (Duty.RESPONSE_OWNER, "omar"), (Duty.UPDATE, "omar")]),
    "chat": ("alex", [(Duty.SIGNAL_OWNER, "sam"), (Duty.RESPONSE_OWNER, "priya")]),
}


def create_demo_charters(users) -> None:
    """Idempotent; before the demo experiments, so the checks' stop finds its response owner."""
    for key, (owner, duties) in DEMO_CHARTERS.items():
        touchpoint = Touchpoint.objects.get(key=key)
        TouchpointCharter.objects.get_or_create(touchpoint=touchpoint, defaults={"owner": users[owner]})
        for duty, username in duties:
            CharterDuty.objects.get_or_create(touchpoint=touchpoint, duty=duty, user=users[username], metric=None)
