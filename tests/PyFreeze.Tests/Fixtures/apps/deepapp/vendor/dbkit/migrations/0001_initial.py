class Migration:
    name = "initial"
