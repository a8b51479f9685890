import numpy as np

a = np.arange(12, dtype=np.float64).reshape(3, 4)
print("sum", a.sum())
print("matmul", (a @ a.T).trace())
print("linalg", round(float(np.linalg.det(np.eye(3) * 2)), 3))
print("version", np.__version__)
