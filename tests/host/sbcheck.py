"""What the host tests' python checks share (lib.sh's sbpython puts this
folder on the path): one way to fail, and a run's summary with its report."""
import json
import sys


def check(c, msg):
    """Fails the test with msg unless c."""
    if not c:
        print("FAIL:", msg)
        sys.exit(1)


def result(d, txt):
    """A result directory's summary.json and the text of its report."""
    return json.load(open(d + "/summary.json")), open(txt).read()
