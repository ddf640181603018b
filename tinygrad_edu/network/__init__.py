"""The tutorial's API ("Neural Network from scratch in Python"), running on the autograd engine.

Same names, same arguments, same printed lines as the tutorial's files:

    layer.py             Layer (forward_propagation / backward_propagation)
    fc_layer.py          FCLayer(input_size, output_size)
    activation_layer.py  ActivationLayer(activation, activation_prime)
    flatten_layer.py     FlattenLayer()
    conv_layer.py        ConvLayer(input_shape, kernel_shape, layer_depth), images (H, W, D)
    activations.py       tanh, tanh_prime (and sigmoid, relu with their derivatives)
    losses.py            mse, mse_prime
    network.py           Network: add, use, fit(..., batch_size=1), predict

What changed underneath: a layer writes only its forward pass, in Tensor ops; the engine
records the graph and computes every backward pass. A (function, derivative) pair becomes
one engine op (`from_pair`). Everything computes in float64, as the tutorial's numpy does.
"""
from .activation_layer import ActivationLayer
from .activations import relu, relu_prime, sigmoid, sigmoid_prime, tanh, tanh_prime
from .conv_layer import ConvLayer
from .fc_layer import FCLayer
from .flatten_layer import FlattenLayer
from .from_pair import elementwise_from_pair, loss_from_pair
from .layer import DTYPE, Layer
from .losses import mse, mse_prime
from .network import Network

__all__ = [
    "Network",
    "Layer",
    "FCLayer",
    "ActivationLayer",
    "FlattenLayer",
    "ConvLayer",
    "tanh",
    "tanh_prime",
    "sigmoid",
    "sigmoid_prime",
    "relu",
    "relu_prime",
    "mse",
    "mse_prime",
    "elementwise_from_pair",
    "loss_from_pair",
    "DTYPE",
]
