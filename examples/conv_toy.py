"""The tutorial's convolution example (example_conv.py), on tinygrad_edu: three ConvLayers
with tanh learn to map one random 10x10x1 image to one random 4x4x2 target.

Changed from the tutorial: the imports, and two optional flags (--epochs, --seed; the
tutorial does not seed, this script does so that a run is repeatable).

Run: python examples/conv_toy.py
"""
import argparse

import numpy as np

from tinygrad_edu.network import ActivationLayer, ConvLayer, Network, mse, mse_prime, tanh, tanh_prime

parser = argparse.ArgumentParser(description="The tutorial's convolution toy on tinygrad_edu.")
parser.add_argument("--epochs", type=int, default=1000, help="training epochs (the tutorial's: 1000)")
parser.add_argument("--seed", type=int, default=0, help="seed of numpy's generator (data and initial weights)")
args = parser.parse_args()
np.random.seed(args.seed)

# training data
x_train = [np.random.rand(10, 10, 1)]
y_train = [np.random.rand(4, 4, 2)]

# network
net = Network()
net.add(ConvLayer((10, 10, 1), (3, 3), 1))
net.add(ActivationLayer(tanh, tanh_prime))
net.add(ConvLayer((8, 8, 1), (3, 3), 1))
net.add(ActivationLayer(tanh, tanh_prime))
net.add(ConvLayer((6, 6, 1), (3, 3), 2))
net.add(ActivationLayer(tanh, tanh_prime))

# train
net.use(mse, mse_prime)
net.fit(x_train, y_train, epochs=args.epochs, learning_rate=0.3)

# test
out = net.predict(x_train)
print("predicted = ", out)
print("expected = ", y_train)
