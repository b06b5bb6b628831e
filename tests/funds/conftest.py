from types import SimpleNamespace

import pytest

from tests.conftest import actor_of, make_user
from warmth.orgs.models import Role


@pytest.fixture
def fin(users, tree):
    """Actors of the money side: 成都 finance and leader, 武侯 finance and handler, a 海南 outsider."""
    c1_leader = make_user("c1_leader", tree.c1, Role.LEADER)
    k1_finance = make_user("k1_finance", tree.k1, Role.FINANCE)
    k1_leader = make_user("k1_leader", tree.k1, Role.LEADER)
    hn_finance = make_user("hn_finance", tree.p2, Role.FINANCE)
    return SimpleNamespace(
        finance=actor_of(users.finance), leader=actor_of(c1_leader), handler=actor_of(users.owner),
        k1_finance=actor_of(k1_finance), k1_leader=actor_of(k1_leader), county=actor_of(users.county),
        auditor=actor_of(users.auditor), admin=actor_of(users.admin), p1_leader=actor_of(users.leader),
        outsider=actor_of(hn_finance),
        users=SimpleNamespace(c1_leader=c1_leader, k1_finance=k1_finance, k1_leader=k1_leader,
                              hn_finance=hn_finance),
    )
