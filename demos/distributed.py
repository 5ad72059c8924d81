"""The seed's MNIST network trained by PyTorch's DistributedDataParallel, from chainrule's own lifted program.

``nn.to_torch`` turns the network and its loss into a ``torch.nn.Module`` (the forward pass is the lifted array
program, the backward the ops' own rules); ``DistributedDataParallel`` then runs one copy per process over the
gloo back-end (CPU processes, here on this machine's loopback address), each taking its share of every global
batch and averaging the gradients before each Adam step. The demo trains the same network once more, in one
process, with chainrule's own ``fit(compiled='numpy')`` on the same global batches, and prints how far apart the
two sets of parameters are: float64 rounding, the order in which the gradients are summed.

When to do this: when one process is not enough (a large data set, or many machines, each with its cores or
GPUs) and the model is a chainrule program. On one machine: ``--processes N``. On several, start it with
``torchrun`` on each: ``torchrun --nnodes 2 --node-rank K --nproc-per-node 2 --master-addr HOST --master-port
29500 -m demos distributed`` (K = 0 on HOST, 1 on the other); each process then reads RANK and WORLD_SIZE from
torchrun. Only the single-machine forms were run here.

Data: ``python -m nn.data fetch mnist`` first, or ``--root DIR`` for a folder of IDX files.
"""

from __future__ import annotations

import os
import random
import socket
import tempfile
import time
from pathlib import Path
from typing import Any, List, Optional

from nn import MLP, Adam, batch_order, fit, losses

from .common import common_args
from .mnist import load

SEED, HIDDEN, LR, BATCH = 0, 128, 2e-3, 128
QUICK_LIMIT = 2048


def network() -> MLP:
    """The seed's network, 784-128-10 with He init, the same numbers in every process (one seed)."""
    random.seed(SEED)
    return MLP(784, [HIDDEN, 10], activation="relu", init="he")


def worker(rank: int, world: int, address: str, root: Optional[str], limit: Optional[int], epochs: int,
           batch: int, result: Optional[str]) -> None:
    """One process of the data-parallel run: its share of every global batch, gradients averaged by DDP. Rank 0
    writes the trained parameters (and the seconds per epoch) to ``result``."""
    import torch
    import torch.distributed as dist

    import nn

    torch.set_num_threads(1)  # the processes share the machine's cores
    dist.init_process_group("gloo", init_method=address, rank=rank, world_size=world)
    try:
        X, y, _, _ = load(False, Path(root) if root else None, limit)
        X, y = torch.tensor(X, dtype=torch.float64), torch.tensor(y)
        model = network()
        ddp = torch.nn.parallel.DistributedDataParallel(nn.to_torch(model, losses.cross_entropy, device="cpu"))
        optimizer = torch.optim.Adam(ddp.parameters(), lr=LR)
        seconds = []
        for epoch in batch_order(len(X), batch, epochs, seed=SEED):
            began = time.perf_counter()
            for indices in epoch:
                mine = torch.tensor(list(indices)[rank::world], dtype=torch.long)  # this process's share
                optimizer.zero_grad()
                per_sample, _ = ddp(X[mine], y[mine])
                # DDP averages the processes' gradients; scaled so, their average is the global batch's mean
                (per_sample.sum() * (world / len(indices))).backward()
                optimizer.step()
            seconds.append(time.perf_counter() - began)
        if rank == 0 and result:
            ddp.module.write_back()
            torch.save({"parameters": [p.data for p in model.parameters()], "seconds": seconds}, result)
    finally:
        dist.destroy_process_group()


def single_process(root: Optional[Path], limit: Optional[int], epochs: int, batch: int,
                   progress: bool) -> tuple:
    """chainrule's own fit on the same global batches: (parameters, seconds per epoch, the held-out data)."""
    X, y, X_test, y_test = load(False, root, limit)
    model = network()
    history = fit(model, X, y, losses.cross_entropy, Adam(model.parameters(), lr=LR), epochs, batch_size=batch,
                  seed=SEED, progress=progress, compiled="numpy")
    return model, history["seconds"], (X_test, y_test)


def free_address() -> str:
    """A TCP address on the loopback interface that nothing listens on, for the processes to meet at."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"tcp://127.0.0.1:{s.getsockname()[1]}"


def main(argv: Optional[List[str]] = None) -> int:
    parser = common_args("distributed", __doc__, quick=f"one epoch on the first {QUICK_LIMIT:,} training images")
    parser.add_argument("--processes", type=int, default=2, help="processes on this machine (default 2)")
    parser.add_argument("--root", type=Path, default=None, help="the folder of the IDX files")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--limit", type=int, default=None, help="read only the first N training images")
    parser.add_argument("--batch", type=int, default=BATCH, help=f"the global batch (default {BATCH})")
    args = parser.parse_args(argv)
    if args.quick:
        args.limit = min(args.limit or QUICK_LIMIT, QUICK_LIMIT)
    if args.processes < 1 or args.batch < args.processes:
        parser.error(f"--processes must be at least 1 and at most --batch ({args.batch}), got {args.processes}")
    try:
        import torch.multiprocessing as mp
    except ImportError:
        print("this demo runs on PyTorch, which is optional in chainrule: `pip install torch==2.13.0` to run it")
        return 1
    root = None if args.root is None else str(args.root)
    try:
        load(False, args.root, 1)
    except FileNotFoundError as e:
        print(e)
        return 1
    if "RANK" in os.environ and "WORLD_SIZE" in os.environ:  # started by torchrun, once per process
        rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
        out = tempfile.mkdtemp() if rank == 0 else None
        result = None if out is None else os.path.join(out, "ddp.pt")
        worker(rank, world, "env://", root, args.limit, args.epochs, args.batch, result)
        if rank != 0:
            return 0
        world_size = world
    else:
        result, world_size = os.path.join(tempfile.mkdtemp(), "ddp.pt"), args.processes
        mp.spawn(worker, args=(world_size, free_address(), root, args.limit, args.epochs, args.batch, result),
                 nprocs=world_size, join=True)
    return report(result, world_size, args)


def report(result: str, world: int, args: Any) -> int:
    """The data-parallel parameters beside chainrule's own single-process fit, and both runs' times."""
    import torch

    ddp = torch.load(result)
    model, seconds, (X_test, y_test) = single_process(args.root, args.limit, args.epochs, args.batch,
                                                      not args.no_progress)
    ours = [p.data for p in model.parameters()]
    gap = max(abs(a - b) for a, b in zip(ours, ddp["parameters"]))
    largest = max(abs(a) for a in ours)
    for p, x in zip(model.parameters(), ddp["parameters"]):
        p.data = x
    scores = [[v.data for v in model(x)] for x in X_test]
    accuracy = sum(max(range(10), key=s.__getitem__) == t for s, t in zip(scores, y_test)) / len(y_test)
    print(f"MNIST: MLP 784-{HIDDEN}-10, Adam lr {LR}, global batch {args.batch}, {args.epochs} epoch(s)")
    print(f"DistributedDataParallel over gloo, {world} process(es) on this machine, the network from nn.to_torch: "
          f"{sum(ddp['seconds']) / len(ddp['seconds']):.2f} s per epoch")
    print(f"one process, chainrule's fit(compiled='numpy') on the same global batches: "
          f"{sum(seconds) / len(seconds):.2f} s per epoch")
    print(f"largest difference between the two runs' {len(ours):,} parameters: {gap:.3e} "
          f"(the largest parameter is {largest:.3f}; float64 rounding, summed in another order)")
    print(f"held-out accuracy on {len(y_test)} images, of the data-parallel run's parameters: {accuracy:.1%}")
    return 0
