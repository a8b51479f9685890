def alpha():
    return "alpha loaded"
