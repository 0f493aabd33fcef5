"""A service's API client: calls with a service key (counted assignments, data in)."""

from experiments.models import Touchpoint
from tests.experiments.api.conftest import HttpsAPIClient
from tests.factories import make_service_key


def keyed_client(user, experiments=None, *, touchpoint="chat", actions=("assign", "send_data"), **kwargs):
    """A client with a key made by `user`: for `experiments` if given, else for every experiment on
    `touchpoint` (so experiments made after the client are in scope too)."""
    if experiments is None:
        key, secret = make_service_key(user, touchpoint=Touchpoint.objects.get(key=touchpoint), actions=actions)
    else:
        key, secret = make_service_key(user, experiments, actions=actions)
    client = HttpsAPIClient(**kwargs)
    client.credentials(HTTP_AUTHORIZATION=f"Key {secret}")
    client.service_key = key
    return client
