"""optmod docstring"""


def documented():
    """function docstring"""
    return 1


def check_assert():
    try:
        assert False, "assert ran"
    except AssertionError:
        return "asserts-run"
    return "asserts-stripped"
