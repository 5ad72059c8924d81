"""Data sets, each as ``(X, y)``: a list of rows of floats and a list of int labels.

- ``synthetic``: small seeded sets generated here (moons, circles, spirals, xor, blobs), scikit-learn's
  8x8 digits, and ``train_test_split``.
- ``idx``: reading and writing IDX files, the format of MNIST and Fashion-MNIST.
- ``mnist_files``: MNIST and Fashion-MNIST read from their standard files, which
  ``python -m nn.data fetch mnist`` (or ``fashion-mnist``) prepares.
- ``words``: words for character-level language models, census first names or a dictionary's, which
  ``python -m nn.data fetch names`` (or ``words``) prepares.
"""

from .idx import IdxArray, images_and_labels, load_idx, save_idx
from .mnist_files import FetchError, data_root, fashion_mnist, fetch_fashion_mnist, fetch_mnist, mnist
from .synthetic import blobs, circles, digits, moons, spirals, train_test_split, xor
from .words import fetch_names, fetch_words, names, read_words, words

__all__ = [
    "FetchError", "IdxArray", "blobs", "circles", "data_root", "digits", "fashion_mnist", "fetch_fashion_mnist",
    "fetch_mnist", "fetch_names", "fetch_words", "images_and_labels", "load_idx", "mnist", "moons", "names",
    "read_words", "save_idx", "spirals", "train_test_split", "words", "xor",
]
