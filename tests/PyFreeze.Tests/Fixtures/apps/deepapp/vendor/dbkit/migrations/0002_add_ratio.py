import fractions


class Migration:
    name = "add_ratio " + str(fractions.Fraction(3, 6))
