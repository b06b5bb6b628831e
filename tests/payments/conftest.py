from types import SimpleNamespace

import pytest

from tests.archives.conftest import make_active  # noqa: F401 (re-exported fixture)
from tests.conftest import actor_of, make_user
from tests.funds.conftest import fin  # noqa: F401 (re-exported fixture)
from tests.funds.factories import decided, raised
from warmth.orgs.models import Role
from warmth.payments.services import chain_set


@pytest.fixture
def pay(fin, users, tree):  # noqa: F811
    """武侯's money (own union funds, decided), its handler, two approvers and a short chain for 武侯."""
    pot = raised(fin.k1_finance, tree.k1, "10000.00")
    decided(fin.k1_leader, pot)
    k1_reviewer = make_user("k1_reviewer", tree.k1, Role.REVIEWER)
    chain_set(actor=fin.k1_leader, org=tree.k1, steps=["单位(工会)意见", "区(产业)工会意见"], threshold="2000",
              extra_step="单位领导")
    return SimpleNamespace(pot=pot, handler=actor_of(users.county), first=actor_of(k1_reviewer),
                           second=fin.k1_leader, third=actor_of(users.colleague), outsider=fin.outsider)
