"""The benchmarked networks as parameter shapes in PyTorch's layouts, and one set of initial
weights per network that every implementation copies, so all three train the same model.

mlp:            784 -100- tanh -50- tanh -10, softmax cross-entropy
tutorial_conv:  the tutorial's conv net: conv 3x3 1→1, tanh, flatten, FC 676-100, tanh, FC 100-10
small_cnn:      conv 8 3x3 pad 1, relu, maxpool 2, conv 16 3x3 pad 1, relu, maxpool 2, linear 784→10
xor:            the tutorial's XOR net, 2-3-1 with tanh on both layers, MSE
"""
from __future__ import annotations

import numpy as np

SHAPES: dict[str, dict[str, tuple[int, ...]]] = {
    "mlp": {
        "fc1.weight": (100, 784), "fc1.bias": (100,),
        "fc2.weight": (50, 100), "fc2.bias": (50,),
        "fc3.weight": (10, 50), "fc3.bias": (10,),
    },
    "tutorial_conv": {
        "conv.weight": (1, 1, 3, 3), "conv.bias": (1,),
        "fc1.weight": (100, 676), "fc1.bias": (100,),
        "fc2.weight": (10, 100), "fc2.bias": (10,),
    },
    "small_cnn": {
        "conv1.weight": (8, 1, 3, 3), "conv1.bias": (8,),
        "conv2.weight": (16, 8, 3, 3), "conv2.bias": (16,),
        "fc.weight": (10, 784), "fc.bias": (10,),
    },
    "xor": {
        "fc1.weight": (3, 2), "fc1.bias": (3,),
        "fc2.weight": (1, 3), "fc2.bias": (1,),
    },
}

LEARNING_RATES = {"mlp": 0.1, "tutorial_conv": 0.05, "small_cnn": 0.05, "xor": 0.1}
BATCH_SIZE = 64


def initial_weights(network: str, seed: int = 0) -> dict[str, np.ndarray]:
    """PyTorch's default init, U(−1/√fan_in, 1/√fan_in) for weights and biases, in float32."""
    rng = np.random.default_rng(seed)
    weights = {}
    for name, shape in SHAPES[network].items():
        layer = name.rsplit(".", 1)[0]
        fan_in = int(np.prod(SHAPES[network][f"{layer}.weight"][1:]))
        bound = 1.0 / np.sqrt(fan_in)
        weights[name] = rng.uniform(-bound, bound, shape).astype(np.float32)
    return weights


def xor_data() -> tuple[np.ndarray, np.ndarray]:
    """The tutorial's four XOR samples, as one full batch: x (4, 2), y (4, 1)."""
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array([[0], [1], [1], [0]], dtype=np.float32)
    return x, y
