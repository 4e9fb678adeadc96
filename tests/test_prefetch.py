import pytest

from runform.video.prefetch import prefetch


def test_prefetch_yields_everything_in_order():
    assert list(prefetch(iter(range(100)), depth=3)) == list(range(100))


def test_producer_errors_reach_the_consumer_after_the_good_items():
    def source():
        yield 1
        yield 2
        raise ValueError("decoder broke")

    got = []
    with pytest.raises(ValueError, match="decoder broke"):
        for item in prefetch(source()):
            got.append(item)
    assert got == [1, 2]


def test_stopping_early_closes_the_source():
    closed = []

    def source():
        try:
            yield from range(1000)
        finally:
            closed.append(True)

    for item in prefetch(source(), depth=2):
        if item == 5:
            break
    assert closed == [True]
