"""Oracle app: numpy's common surface."""
import io

import numpy as np

a = np.arange(16, dtype=float).reshape(4, 4)
print(np.linalg.inv(a + np.eye(4) * 10).shape, np.fft.fft(np.ones(4)).real.sum())
rng = np.random.default_rng(1)
print(rng.integers(0, 10, 3).shape, np.polynomial.Polynomial([1, 2]).degree())
m = np.ma.masked_array([1, 2, 3], mask=[0, 1, 0])
print(m.sum(), np.lib.stride_tricks.sliding_window_view(np.arange(5), 2).shape)
buf = io.BytesIO()
np.save(buf, a)
buf.seek(0)
print(np.load(buf).sum(), np.datetime64("2020-01-01") + np.timedelta64(1, "D"))
print(np.char.upper(np.array(["a"])), np.sort(rng.random(3)).shape, np.einsum("ii", a))
