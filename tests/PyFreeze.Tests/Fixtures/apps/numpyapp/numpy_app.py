import numpy as np

a = np.arange(12, dtype=np.float64).reshape(3, 4)
print("sum", a.sum())
print("matmul", (a @ a.T).trace())
print("linalg", round(float(np.linalg.det(np.eye(3) * 2)), 3))
print("version", np.__version__)
# numpy.testing pulls its nose helpers at import: a hook excluding them broke every app that imports it (scipy does)
import numpy.testing
numpy.testing.assert_allclose(a.sum(), 66.0)
print("testing ok")
