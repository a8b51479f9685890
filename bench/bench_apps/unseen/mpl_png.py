"""matplotlib, Agg backend: save a PNG of a line plot; print its pixel size."""
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(4, 3), dpi=50)
ax.plot([1, 2, 3], [1, 4, 9]); ax.set_title("squares")
fig.savefig("out.png")
import PIL.Image
print(PIL.Image.open("out.png").size, matplotlib.get_backend())
