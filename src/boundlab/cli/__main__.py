"""``python -m boundlab.cli``."""

from boundlab.cli import entry

if __name__ == "__main__":
    entry()
