"""The playground's menu: each example is code a learner could type, ending with the Value to draw in ``out``.

The page loads them into its editor; the browser test runs each one there and again in CPython.
"""

from __future__ import annotations

from typing import NamedTuple, Tuple


class Example(NamedTuple):
    """One entry of the menu: a short name (the page's address fragment), a title and the code."""

    name: str
    title: str
    code: str


NEURON = '''\
# The lecture's neuron: two inputs, two weights, a bias, tanh.
from engine import Value

x1 = Value(2.0, label="x1")
x2 = Value(0.0, label="x2")
w1 = Value(-3.0, label="w1")
w2 = Value(1.0, label="w2")
b = Value(6.8813735870195432, label="b")
x1w1 = x1 * w1; x1w1.label = "x1*w1"
x2w2 = x2 * w2; x2w2.label = "x2*w2"
n = x1w1 + x2w2 + b; n.label = "n"
out = n.tanh(); out.label = "o"
out.backward()
'''

MLP = '''\
# The lecture's MLP: 3 inputs, two hidden layers of 4 neurons and one output, tanh everywhere.
import random
from nn import MLP

random.seed(1)
model = MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh")
x = [2.0, 3.0, -1.0]
out = model(x)
out.backward()
'''

TWO_LAYER = '''\
# The Backpropagation Algorithm, "Computational Graph": one input through two layers,
# relu then sigmoid, and the squared error against the target 1.
from engine import Value

x = Value(2.0, label="x")
w1 = Value(0.5, label="w1"); b1 = Value(0.1, label="b1")
w2 = Value(0.3, label="w2"); b2 = Value(-0.2, label="b2")
z1 = w1 * x + b1; z1.label = "z1"
a1 = z1.relu(); a1.label = "a1"
z2 = w2 * a1 + b2; z2.label = "z2"
prediction = z2.sigmoid(); prediction.label = "prediction"
out = (prediction - 1.0) ** 2; out.label = "loss"
out.backward()
'''

TWO_THREE_ONE = '''\
# Backpropagation -- The Complete Derivation, "Worked Numerical Example":
# a 2-3-1 network, sigmoid everywhere, loss 1/2 (a2 - y)^2.
from engine import Value

x = [Value(0.05, label="x0"), Value(0.10, label="x1")]
W1 = [[0.15, 0.20], [0.25, 0.30], [0.35, 0.40]]
W1 = [[Value(w, label=f"W1[{j}][{k}]") for k, w in enumerate(row)] for j, row in enumerate(W1)]
b1 = [Value(0.35, label=f"b1[{j}]") for j in range(3)]
W2 = [Value(w, label=f"W2[{j}]") for j, w in enumerate([0.40, 0.45, 0.50])]
b2 = Value(0.60, label="b2")
a1 = []
for j in range(3):
    z = sum((w * xk for w, xk in zip(W1[j], x)), b1[j]); z.label = f"z1[{j}]"
    a = z.sigmoid(); a.label = f"a1[{j}]"
    a1.append(a)
z2 = sum((w * a for w, a in zip(W2, a1)), b2); z2.label = "z2"
a2 = z2.sigmoid(); a2.label = "a2"
out = 0.5 * (a2 - 0.01) ** 2; out.label = "loss"
out.backward()
'''

EXP_SIN = '''\
# A chain of three functions: d/dx exp(sin(x^2)) = exp(sin(x^2)) * cos(x^2) * 2x.
from engine import Value

x = Value(1.5, label="x")
square = x ** 2; square.label = "x^2"
sine = square.sin(); sine.label = "sin(x^2)"
out = sine.exp(); out.label = "f"
out.backward()
'''

DIFFERENCE_OF_SQUARES = '''\
# (x + y)(x - y) = x^2 - y^2: x and y each reach the output by two paths, and their grads add up.
from engine import Value

x = Value(3.0, label="x")
y = Value(2.0, label="y")
s = x + y; s.label = "x + y"
d = x - y; d.label = "x - y"
out = s * d; out.label = "f"
out.backward()
'''

SOFTMAX = '''\
# Softmax and cross-entropy by hand: d loss / d logit_i = p_i - [i is the target].
from engine import Value

logits = [Value(2.0, label="z0"), Value(1.0, label="z1"), Value(0.1, label="z2")]
target = 0
exps = [z.exp() for z in logits]
total = sum(exps[1:], exps[0]); total.label = "sum"
p = [e / total for e in exps]
for i, pi in enumerate(p):
    pi.label = f"p{i}"
out = -p[target].log(); out.label = "loss"
out.backward()
'''

LOOP = '''\
# Ten steps of h = h*w + c, reusing one weight and one constant, as a recurrent network does.
# Steps 1 to 8 are named as scopes, and the drawing folds a graph of more than 12 values into
# one box per scope: eight boxes, then the last two steps in full. w and c are drawn once, and
# as small shared references where they are used again.
from engine import Value

w = Value(0.9, label="w")
c = Value(0.1, label="c")
h = Value(1.0, label="h0")
for step in range(1, 11):
    wh = h * w
    h = wh + c
    h.label = f"h{step}"
    if step <= 8:
        wh.scope = h.scope = f"step {step}"
out = h
out.backward()
drawing = dict(max_nodes=12)   # draw_dot's options, as keywords
'''

EXAMPLES: Tuple[Example, ...] = (
    Example("neuron", "The lecture's neuron", NEURON),
    Example("mlp", "The lecture's MLP (3-4-4-1)", MLP),
    Example("two-layer", "The Backpropagation Algorithm: two layers", TWO_LAYER),
    Example("two-three-one", "The Complete Derivation: the 2-3-1 worked example", TWO_THREE_ONE),
    Example("exp-sin", "exp(sin(x²))", EXP_SIN),
    Example("difference-of-squares", "(x + y)(x − y)", DIFFERENCE_OF_SQUARES),
    Example("softmax", "Softmax with cross-entropy", SOFTMAX),
    Example("loop", "A 10-step loop over a reused weight, drawn folded", LOOP),
)

TRAINING = '''\
# micrograd's demo, small enough for a page: an MLP 2-8-8-1 learns 60 points of two moons
# with a max-margin loss and SGD. The page calls step(k) for k = 0, 1, ... and plots the loss.
import random
from nn import MLP
from nn.data import moons

random.seed(1)
X, labels = moons(60, noise=0.1, seed=1)
y = [2 * t - 1 for t in labels]          # the labels as -1 and +1
model = MLP(2, [8, 8, 1])
STEPS = 60

def step(k):
    scores = [model(x) for x in X]
    losses = [(1 - yi * s).relu() for yi, s in zip(y, scores)]
    loss = sum(losses[1:], losses[0]) * (1 / len(losses))
    model.zero_grad()
    loss.backward()
    lr = 1.0 - 0.9 * k / STEPS
    for p in model.parameters():
        p.data -= lr * p.grad
    accuracy = sum((s.data > 0) == (yi > 0) for yi, s in zip(y, scores)) / len(y)
    return loss.data, accuracy

def predict(point):
    return model(point).data
'''
