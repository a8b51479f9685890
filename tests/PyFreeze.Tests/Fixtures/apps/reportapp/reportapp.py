# The build report's fixture: a real third-party stack (requests → urllib3, idna, certifi, chardet) from Debian,
# built with --exclude-module OpenSSL so the report has something left out on purpose.
import json
import sys

import requests


def main():
    session = requests.Session()
    print(json.dumps({"requests": requests.__version__, "adapters": sorted(session.adapters)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
