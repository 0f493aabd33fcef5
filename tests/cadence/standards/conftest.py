import pytest

from tests.factories import make_experiment


@pytest.fixture
def chat_standard(proposer, approver, standards_keeper, board_member):
    """S-n on chat for new customers, proven by a concluded experiment with FCR as its success metric."""
    from cadence.standards.services import create_from_experiment

    source = make_experiment(
        proposer, approver, status="concluded", key="greeting-proven", segments=("new-customers",), outcome="won"
    )
    return create_from_experiment(
        source, statement="Greet new chat customers in one sentence.", owner=standards_keeper, actor=board_member
    )
