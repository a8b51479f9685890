import textwrap


def main(argv):
    return textwrap.shorten("clikit ran with " + " ".join(argv), 40)
