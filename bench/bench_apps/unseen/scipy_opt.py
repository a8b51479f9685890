"""scipy: minimize a function, integrate, and solve a sparse system."""
import numpy as np
from scipy import optimize, integrate, sparse
from scipy.sparse.linalg import spsolve
print(round(optimize.minimize_scalar(lambda x: (x - 2) ** 2).x, 4))
print(round(integrate.quad(np.sin, 0, np.pi)[0], 6))
print(spsolve(sparse.csr_matrix([[2.0, 0], [0, 4.0]]), np.array([2.0, 8.0])))
