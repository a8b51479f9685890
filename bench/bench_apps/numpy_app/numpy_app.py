import numpy as np

a = np.arange(1000, dtype=float).reshape(10, 100)
print(round(float((a @ a.T).trace()), 1))
