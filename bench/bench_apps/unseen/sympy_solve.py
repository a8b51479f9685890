"""sympy: solve, integrate, and print a series."""
import sympy as sp
x = sp.symbols("x")
print(sp.solve(x**2 - 4, x), sp.integrate(sp.sin(x) ** 2, x), sp.series(sp.exp(x), x, 0, 4))
