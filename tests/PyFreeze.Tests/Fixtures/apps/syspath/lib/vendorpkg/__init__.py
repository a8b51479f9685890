def thing(): return "vendored"
