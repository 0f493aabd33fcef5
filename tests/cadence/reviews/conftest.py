import pytest

from experiments import roles
from tests.factories import make_user


@pytest.fixture
def chair(db):
    return make_user("carla_chair", roles.BOARD)


@pytest.fixture
def other_board_member(db):
    return make_user("bert_board", roles.BOARD)
