# pytest's per-folder plugin file, shipped inside the package as networkx ships one: pytest loads it by path when it
# runs dbkit's tests; dbkit's own code never imports it, so a frozen app leaves it out (the test-folder rule).
import pytest


@pytest.fixture
def engine():
    import dbkit
    return dbkit.create_engine("sqlite://")
