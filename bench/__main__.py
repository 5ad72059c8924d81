"""``python -m bench``: every benchmark, printed as times and ratios."""

from . import moons_step

if __name__ == "__main__":
    moons_step.main()
