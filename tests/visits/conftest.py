from tests.campaigns.conftest import camp  # noqa: F401 (re-exported fixture)
from tests.funds.conftest import fin  # noqa: F401 (re-exported fixture)
