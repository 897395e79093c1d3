import time
import pytest

@pytest.mark.django_db
@pytest.mark.parametrize("which", ["old", "new", "old2", "new2"])
def test_time(roles, which):
    from barzan.geo import _old_demo, demo
    module = _old_demo if which.startswith("old") else demo
    t = time.time()
    module.load()
    print(f"\nLOAD {which} {time.time() - t:.1f}")
