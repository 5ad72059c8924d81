"""What ``engine.profile()`` costs: micrograd's moons training step (MLP 2-16-16-1, 100 samples, eager) run plainly,
run inside a profile, and run plainly again after profiles were entered and left (nothing stays behind: the same
functions run as before any profile)."""

from __future__ import annotations

import random
from typing import Callable, List

from demos.moons import SEED, data, svm_loss

from .timing import Row, alternate, table


def step_of() -> Callable[[], float]:
    import engine
    from nn import MLP

    X, y = data()
    random.seed(SEED)
    m = MLP(2, [16, 16, 1])

    def step() -> float:
        loss, _ = svm_loss(m, X, y, add_up=engine.sum)
        m.zero_grad()
        loss.backward()
        for p in m.parameters():
            p.data -= 0.01 * p.grad  # small steps: every round does the same work
        return loss.data
    return step


def run(rounds: int = 7) -> List[str]:
    import engine

    plain, profiled, after = step_of(), step_of(), step_of()
    plain()  # the first step of each, untimed, before any profile

    def inside() -> None:
        with engine.profile():
            profiled()

    ms = alternate({"profiling off": plain, "inside engine.profile()": inside, "off again, after profiles": after},
                   rounds)
    off = ms["profiling off"]
    notes = {"inside engine.profile()": f"{ms['inside engine.profile()'] / off:.2f}x the plain step",
             "off again, after profiles": f"{ms['off again, after profiles'] / off:.2f}x the plain step (target: 1x)"}
    rows: List[Row] = [(name, t, notes.get(name, "")) for name, t in ms.items()]
    return table(f"profiling: the eager moons step (median of {rounds})", rows, reference="profiling off")


def main() -> None:
    print("\n".join(run()))


if __name__ == "__main__":
    main()
