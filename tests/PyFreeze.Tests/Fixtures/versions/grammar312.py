"""3.12+ grammar with imports in each construct the analyzer must see through: PEP 701 f-strings (the enclosing quote
reused, comments and backslashes inside replacement fields), PEP 695 type parameters and `type` statements, except*
(PEP 654) and match with soft keywords used as names."""
import sys

type Pair[T] = tuple[T, T]
type = "soft keyword as a name"
match = {"case": 1}


def first[T: (int, str)](items: list[T]) -> T:
    import statistics  # inside a generic function
    return items[statistics.median_low(range(len(items)))]


class Box[T]:
    import textwrap  # inside a generic class body: runs when the class is made

    def __init__(self, value: T) -> None:
        self.value = value


def main():
    names = ["a", "b"]
    print(f"fstring={f"{'\n'.join(names)!r}"} {f"{names[0]:>{len(names) + 1}}"} {"nested " + "quotes".upper()}")
    print(f"fstring-comment={f'''{
        len(names)  # a comment inside a replacement field
    }'''}")
    print(f"generic={first([3, 1, 2])} {Box(2).value} {Box.textwrap.shorten('a b c d', 5)} {Pair.__value__}")
    try:
        raise ExceptionGroup("g", [ValueError(1), TypeError(2)])
    except* ValueError as e:
        import decimal  # inside an except* clause
        print(f"except-star={len(e.exceptions)} {decimal.Decimal('1.10')}")
    except* TypeError:
        pass
    match sys.argv[1:]:
        case []:
            import fractions  # inside a match case
            print(f"match={fractions.Fraction(3, 6)} {match['case']} {type}")
        case _:
            print("match=args")
