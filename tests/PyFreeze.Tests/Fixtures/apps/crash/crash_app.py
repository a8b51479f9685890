def inner():
    raise ValueError("boom from the frozen app")


def outer():
    inner()


outer()
