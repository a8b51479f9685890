def run(args):
    print("args", args)
    return 5
