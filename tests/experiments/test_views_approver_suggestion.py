"""The proposal form suggests the touchpoint's charter owner as approver."""

import pytest
import json
import re

from django.urls import reverse

from approvals.models import TouchpointCharter
from experiments import roles
from experiments.models import Touchpoint
from tests.experiments.web import https_client
from tests.factories import make_user


def owners_on_form(user):
    html = https_client(user).get(reverse("experiment-create")).content.decode()
    match = re.search(r'<script id="touchpoint-owners" type="application/json">(.*?)</script>', html, re.S)
    assert match, "the form carries no touchpoint owners"
    return json.loads(match.group(1))


@pytest.mark.approvals
def test_the_chat_owner_is_suggested_for_chat(proposer, approver):
    chat = Touchpoint.objects.get(key="chat")
    TouchpointCharter.objects.create(touchpoint=chat, owner=approver)
    owners = owners_on_form(proposer)
    assert owners[str(chat.pk)] == {"owner": str(approver.pk), "name": approver.get_full_name(), "touchpoint": "Chat"}


def test_the_proposer_is_never_suggested_as_their_own_approver(db):
    owner_and_proposer = make_user("tara_owner", roles.PROPOSER, roles.APPROVER)
    chat = Touchpoint.objects.get(key="chat")
    TouchpointCharter.objects.create(touchpoint=chat, owner=owner_and_proposer)
    assert str(chat.pk) not in owners_on_form(owner_and_proposer)


def test_an_owner_without_the_approver_role_is_not_suggested(proposer, outsider):
    phone = Touchpoint.objects.get(key="phone")
    TouchpointCharter.objects.create(touchpoint=phone, owner=outsider)
    assert str(phone.pk) not in owners_on_form(proposer)
