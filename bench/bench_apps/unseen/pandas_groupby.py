"""pandas: read a CSV, print a groupby sum and a describe()."""
import io, pandas as pd
df = pd.read_csv(io.StringIO("k,v,w\na,1,2.5\nb,2,3.5\na,3,4.5\n"))
print(df.groupby("k").sum())
print(df.describe().round(3))
