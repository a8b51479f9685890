import json
import other
from vendorpkg import thing
def run():
    return json.dumps({"other": other.X, "thing": thing()})
