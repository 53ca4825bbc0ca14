"""The memory limit a piece of work runs under (askesos.limits)."""

import resource

import pytest

from askesos.limits import memory_limit

MB = 1024 * 1024


def test_an_allocation_beyond_the_budget_fails_inside_and_succeeds_after():
    before = resource.getrlimit(resource.RLIMIT_AS)

    with memory_limit(budget=64 * MB):
        with pytest.raises(MemoryError):
            bytearray(512 * MB)
        small = bytearray(8 * MB)  # within the budget

    assert len(small) == 8 * MB
    assert len(bytearray(512 * MB)) == 512 * MB  # untouched pages: no resident cost
    assert resource.getrlimit(resource.RLIMIT_AS) == before


def test_a_tighter_limit_already_in_place_is_kept(request):
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (10**13, hard))
    request.addfinalizer(lambda: resource.setrlimit(resource.RLIMIT_AS, (soft, hard)))

    with memory_limit(budget=10**15):
        assert resource.getrlimit(resource.RLIMIT_AS)[0] == 10**13
