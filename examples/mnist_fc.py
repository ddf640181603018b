"""The tutorial's MNIST example with fully connected layers (example_mnist_fc.py), on
tinygrad_edu: 784-100-50-10 with tanh, mean squared error, one update per digit.

Changed from the tutorial: the imports and the data loading. Keras is not needed: the digits
come from `tinygrad_edu.data.mnist`. Only MNIST's 10,000-digit test split is at hand on the
machines this project is built on, so the script uses that split for everything: it trains
on its first 1,000 digits (the tutorial's x_train[0:1000]) and measures the accuracy on its
last 1,000, which training never sees. Added: flags to shorten the run (the defaults are the
tutorial's settings), a seed, and that accuracy.

Run: python examples/mnist_fc.py   (35 epochs on 1,000 digits)
"""
import argparse
from pathlib import Path

import numpy as np

from tinygrad_edu import data
from tinygrad_edu.network import ActivationLayer, FCLayer, Network, mse, mse_prime, tanh, tanh_prime

# This project's machines keep MNIST next to the checkout; elsewhere data.mnist searches
# (and downloads) by itself.
SHARED_MNIST = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "mnist"

parser = argparse.ArgumentParser(description="The tutorial's fully connected MNIST network on tinygrad_edu.")
parser.add_argument("--train", type=int, default=1000, help="digits to train on, the first ones (the tutorial's: 1000)")
parser.add_argument("--test", type=int, default=1000, help="held-out digits to measure the accuracy on, the last ones")
parser.add_argument("--epochs", type=int, default=35, help="training epochs (the tutorial's: 35)")
parser.add_argument("--batch-size", type=int, default=1, help="samples per update (the tutorial's: 1)")
parser.add_argument("--seed", type=int, default=0, help="seed of numpy's generator, which draws the initial weights")
args = parser.parse_args()
np.random.seed(args.seed)

# load MNIST: train on the first digits of the split, test on the last ones
images, labels = data.mnist("test", root=SHARED_MNIST if SHARED_MNIST.is_dir() else None)
if args.train < 1 or args.test < 1:
    parser.error("--train and --test must be at least 1")
if args.train + args.test > len(images):
    parser.error(f"--train {args.train} plus --test {args.test} is more than the {len(images)} digits at hand")
held_out_labels = labels[len(labels) - args.test :]

# reshape and normalize input data
x_all = images.reshape(images.shape[0], 1, 28 * 28)
x_all = x_all.astype("float32")
x_all /= 255
# encode output which is a number in range [0,9] into a vector of size 10
# e.g. number 3 will become [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
y_all = np.eye(10)[labels]
x_train, y_train = x_all[: len(x_all) - args.test], y_all[: len(y_all) - args.test]
x_test, y_test = x_all[len(x_all) - args.test :], y_all[len(y_all) - args.test :]

# Network
net = Network()
net.add(FCLayer(28 * 28, 100))                # input_shape=(1, 28*28)    ;   output_shape=(1, 100)
net.add(ActivationLayer(tanh, tanh_prime))
net.add(FCLayer(100, 50))                     # input_shape=(1, 100)      ;   output_shape=(1, 50)
net.add(ActivationLayer(tanh, tanh_prime))
net.add(FCLayer(50, 10))                      # input_shape=(1, 50)       ;   output_shape=(1, 10)
net.add(ActivationLayer(tanh, tanh_prime))

# train on 1000 samples
net.use(mse, mse_prime)
net.fit(x_train[0 : args.train], y_train[0 : args.train], epochs=args.epochs, learning_rate=0.1, batch_size=args.batch_size)

# test on 3 samples
out = net.predict(x_test[0:3])
print("\n")
print("predicted values : ")
print(out, end="\n")
print("true values : ")
print(y_test[0:3])

# and on every held-out digit: the class is the output with the largest value
predicted_digits = np.argmax(np.array(net.predict(x_test)), axis=-1).ravel()
accuracy = np.mean(predicted_digits == held_out_labels)
print(f"\naccuracy on {args.test} held-out digits: {accuracy:.3f}")
