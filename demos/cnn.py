"""A small convolutional network on real handwritten digits, beside the same network in PyTorch.

conv 3x3 (16 channels) -> ReLU -> max-pool 2 -> conv 3x3 (32) -> ReLU -> max-pool 2 -> linear (800 -> 10) ->
softmax cross-entropy, written with ``nn.Conv2d``, ``nn.MaxPool2d`` and ``nn.Layer`` and trained by
``fit(compiled="numpy")``: one sample's loss is traced once, and the lifted compiler runs each convolution as one
matrix product over every window of the batch (im2col). Adam with learning rate 1e-3 and a cosine schedule down to
0 over the epochs, batches of 64; the pixels normalised to mean 0 and standard deviation 1 over the training set, as
PyTorch's MNIST example does.

Data: ``python -m nn.data fetch mnist`` first (10,000 real MNIST digits, 8,000 train and 2,000 held out, the split
of ``python -m demos mnist``), or ``--fashion`` with ``python -m nn.data fetch fashion-mnist`` (60,000 train
images and the official 10,000 test images). The same network is trained in PyTorch (float64) from the same
initial weights on the same batches, and the held-out accuracies are printed side by side. Writes the loss
curves, the learned first-layer filters and some misclassified digits under ``out/``.
"""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from nn import Activation, Adam, Conv2d, CosineLR, Flatten, Layer, MaxPool2d, Module, batch_order, fit, losses

from .common import common_args, outputs_of
from .mnist import FASHION, load

SEED, EPOCHS, LR, BATCH, SIDE = 0, 15, 1e-3, 64, 28
C1, C2 = 16, 32
MNIST_STATS, FASHION_STATS = (0.1307, 0.3081), (0.2860, 0.3530)  # the training pixels' mean and standard deviation
QUICK_EPOCHS, QUICK_LIMIT = 2, 2000


class DigitCNN(Module):
    """The network, taking an image as its 784 pixels in a row (as the data come) and giving 10 logits."""

    def __init__(self, c1: int = C1, c2: int = C2) -> None:
        self.conv1 = Conv2d(1, c1, 3, scope="conv1")
        self.conv2 = Conv2d(c1, c2, 3, scope="conv2")
        self.fc = Layer(c2 * 5 * 5, 10, activation="linear", init="pytorch", scope="fc")  # every layer as PyTorch's
        self.relu, self.pool, self.flatten = Activation("relu"), MaxPool2d(2), Flatten()

    def __call__(self, x: Sequence[Any]) -> List[Any]:
        image = [[x[r * SIDE:(r + 1) * SIDE] for r in range(SIDE)]]  # one channel of 28 rows
        h = self.pool(self.relu(self.conv1(image)))
        h = self.pool(self.relu(self.conv2(h)))
        return self.fc(self.flatten(h))

    def named_children(self) -> List[Tuple[str, Module]]:
        return [("conv1", self.conv1), ("conv2", self.conv2), ("fc", self.fc)]

    def twin(self) -> Any:
        """The same network in PyTorch (float64) holding this one's weights, for images of shape (n, 1, 28, 28)."""
        import torch

        net = torch.nn.Sequential()
        net.add_module("conv1", torch.nn.Conv2d(1, self.conv1.out_channels, 3))
        net.add_module("relu1", torch.nn.ReLU())
        net.add_module("pool1", torch.nn.MaxPool2d(2))
        net.add_module("conv2", torch.nn.Conv2d(self.conv1.out_channels, self.conv2.out_channels, 3))
        net.add_module("relu2", torch.nn.ReLU())
        net.add_module("pool2", torch.nn.MaxPool2d(2))
        net.add_module("flatten", torch.nn.Flatten())
        net.add_module("fc", torch.nn.Linear(self.conv2.out_channels * 25, 10))
        net = net.double()
        net.load_state_dict({name: torch.tensor([v.data for v in values], dtype=torch.float64).reshape(shape)
                             for name, shape, values in self.torch_state()})
        return net


def predict(model: Module, X: Sequence[Sequence[float]]) -> List[int]:
    """The predicted class of every image, by lifted replays over pieces of the set."""
    return outputs_of(model, X[0], piece=64, check=False)(X).argmax(axis=1).tolist()


def train_torch(twin: Any, X: Sequence[Sequence[float]], y: Sequence[int], Xv: Sequence[Sequence[float]],
                yv: Sequence[int], epochs: int, lr_at: Callable[[int], float]) -> Dict[str, List[float]]:
    """The PyTorch twin on fit's batches in fit's order (``nn.batch_order``), with the same Adam and the same
    learning rate at each epoch (``lr_at(epoch)``, our schedule's numbers)."""
    import torch

    images = torch.tensor(X, dtype=torch.float64).reshape(-1, 1, SIDE, SIDE)
    labels = torch.tensor(y)
    held = torch.tensor(Xv, dtype=torch.float64).reshape(-1, 1, SIDE, SIDE)
    opt = torch.optim.Adam(twin.parameters(), lr=LR)
    history: Dict[str, List[float]] = {"val_accuracy": [], "seconds": []}
    for e, epoch in enumerate(batch_order(len(y), BATCH, epochs, seed=SEED)):
        for group in opt.param_groups:
            group["lr"] = lr_at(e)
        began = time.perf_counter()
        for batch in epoch:
            index = torch.tensor(list(batch))
            loss = torch.nn.functional.cross_entropy(twin(images[index]), labels[index])
            opt.zero_grad()
            loss.backward()
            opt.step()
        history["seconds"].append(time.perf_counter() - began)
        with torch.no_grad():
            predicted = twin(held).argmax(dim=1)
        history["val_accuracy"].append(float((predicted == torch.tensor(yv)).double().mean()))
    return history


def normalised(X: Sequence[Sequence[float]], mean: float, std: float) -> List[List[float]]:
    """Pixels as (x - mean) / std, as PyTorch's MNIST example feeds them (transforms.Normalize)."""
    return [[(v - mean) / std for v in row] for row in X]


def run(fashion: bool = False, root: Optional[Path] = None, epochs: int = EPOCHS, limit: Optional[int] = None,
        progress: bool = True, with_torch: bool = True) -> Dict[str, Any]:
    X, y, Xv, yv = load(fashion, root, limit)
    mean, std = FASHION_STATS if fashion else MNIST_STATS
    X, Xv_shown = normalised(X, mean, std), Xv
    Xv = normalised(Xv, mean, std)
    random.seed(SEED)
    model = DigitCNN()
    twin = None
    if with_torch:
        try:
            twin = model.twin()  # before training: the same initial weights
        except ImportError:
            twin = None
    opt = Adam(model.parameters(), lr=LR)
    schedule = CosineLR(opt, epochs)  # down to 0 by the last epoch: the end of training settles
    history = fit(model, X, y, losses.cross_entropy, opt, epochs, batch_size=BATCH, val=(Xv, yv), progress=progress,
                  seed=SEED, schedule=schedule, compiled="numpy")
    predicted = predict(model, Xv)
    result = {"model": model, "history": history, "predicted": predicted, "X_held": Xv_shown, "y_held": yv,
              "accuracy": sum(p == t for p, t in zip(predicted, yv)) / len(yv), "torch": None}
    if twin is not None:
        result["torch"] = train_torch(twin, X, y, Xv, yv, epochs, lambda e: LR * schedule.factor(e))
    return result


def draw_filters(model: DigitCNN, path: Path) -> Path:
    from viz.plots import pyplot, save_figure

    plt = pyplot()
    fig, axes = plt.subplots(2, 8, figsize=(8, 2.4), dpi=110)
    for ax, kernel in zip(axes.flat, model.conv1.weight):
        numbers = [[w.data for w in row] for row in kernel[0]]
        top = max(abs(v) for row in numbers for v in row) or 1.0
        ax.imshow(numbers, cmap="RdBu_r", vmin=-top, vmax=top)  # white is 0 in every filter
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("the first layer's 16 learned 3 x 3 filters (red positive, blue negative)")
    return save_figure(fig, path)


def draw_mistakes(X: Sequence[Sequence[float]], y: Sequence[int], predicted: Sequence[int], names: Sequence[str],
                  path: Path, count: int = 16) -> Path:
    from viz.plots import pyplot, save_figure

    plt = pyplot()
    wrong = [i for i, (t, p) in enumerate(zip(y, predicted)) if t != p][:count]
    fig, axes = plt.subplots(2, 8, figsize=(8, 2.8), dpi=110)
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, wrong):
        ax.imshow([X[i][r * SIDE:(r + 1) * SIDE] for r in range(SIDE)], cmap="gray_r")
        ax.set_title(f"{names[y[i]]} as {names[predicted[i]]}", fontsize=7, color="tab:red")
    fig.suptitle(f"held-out digits the network gets wrong ({len([1 for t, p in zip(y, predicted) if t != p])} in all)")
    return save_figure(fig, path)


def main(argv: Optional[List[str]] = None) -> int:
    parser = common_args("cnn", __doc__, quick=f"{QUICK_EPOCHS} epochs on the first {QUICK_LIMIT:,} images")
    parser.add_argument("--fashion", action="store_true", help="Fashion-MNIST instead of MNIST")
    parser.add_argument("--root", type=Path, default=None, help="the folder of the IDX files")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    args = parser.parse_args(argv)
    epochs, limit = (QUICK_EPOCHS, QUICK_LIMIT) if args.quick else (args.epochs, None)
    try:
        result = run(args.fashion, args.root, epochs, limit, not args.no_progress)
    except FileNotFoundError as e:
        print(e)
        return 1
    import viz

    data = "Fashion-MNIST" if args.fashion else "MNIST"
    names = FASHION if args.fashion else [str(d) for d in range(10)]
    h, theirs = result["history"], result["torch"]
    print(f"{data}: conv 3x3 ({C1}) -> ReLU -> max-pool 2 -> conv 3x3 ({C2}) -> ReLU -> max-pool 2 -> linear -> "
          f"softmax; Adam lr {LR} with cosine decay, batches of {BATCH}, {epochs} epochs, fit(compiled='numpy')")
    print(f"\n{'epoch':>5} {'held-out accuracy':>18} {'PyTorch':>8} {'s/epoch':>8} {'PyTorch':>8}")
    for e in range(epochs):
        torch_acc = f"{theirs['val_accuracy'][e]:8.2%}" if theirs else f"{'-':>8}"
        torch_s = f"{theirs['seconds'][e]:8.1f}" if theirs else f"{'-':>8}"
        print(f"{e + 1:>5} {h['val_accuracy'][e]:>18.2%} {torch_acc} {h['seconds'][e]:>8.1f} {torch_s}")
    print(f"\nheld-out accuracy on {len(result['y_held']):,} images: {result['accuracy']:.2%}"
          + (f" (PyTorch, the same network from the same weights on the same batches: "
             f"{theirs['val_accuracy'][-1]:.2%})" if theirs else ""))
    stem = "fashion_cnn" if args.fashion else "cnn"
    print(f"loss and accuracy curves: {viz.plot_history(h, args.out / f'{stem}_history.png', title=f'{data} CNN')}")
    print(f"first-layer filters: {draw_filters(result['model'], args.out / f'{stem}_filters.png')}")
    print(f"misclassified digits: {draw_mistakes(result['X_held'], result['y_held'], result['predicted'], names, args.out / f'{stem}_mistakes.png')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
