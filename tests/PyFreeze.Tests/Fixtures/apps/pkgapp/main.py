from mypkg import describe
from mypkg.sub.deep import deep_value

print(describe())
print("deep:", deep_value())
