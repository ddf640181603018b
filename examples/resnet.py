"""A small ResNet on Fashion-MNIST: residual basic blocks, BatchNorm2d, AdaptiveAvgPool2d.

    python examples/resnet.py                      # the default recipe (see RECIPE below)
    python examples/resnet.py --compare-torch      # then PyTorch, same initial weights and batches
    python examples/resnet.py --widths 8,16 --epochs 1 --train-limit 5000   # a quick look

The network (He et al., 2015, the CIFAR variant, one block per stage):

    stem:   conv 3x3 (1 → w₁) → BatchNorm → ReLU                         28x28
    stage k: a basic block, stride 2 from the second stage on          28x28, 14x14, 7x7
             Y = ReLU(BN(conv3x3(ReLU(BN(conv3x3(X))))) + shortcut(X))
             shortcut = X itself, or conv 1x1 + BatchNorm where the shape changes
    head:   AdaptiveAvgPool2d((1, 1)) → flatten → Linear(w_last, 10)

The identity path is why deep ResNets train: dE/dX = dE/dY ⊙ ReLU'(·) · (∂F/∂X + I), so the
gradient reaches early layers through the "+ I" even where ∂F/∂X is small.
"""
from __future__ import annotations

import argparse
from functools import cache
from typing import Any

from classifier import make_parser, parse_args, run

WIDTHS = (16, 32, 64)
# The default recipe; every entry is a flag (--batch-size, --optimizer, ...) that overrides it.
RECIPE = dict(batch_size=128, optimizer="sgd", nesterov=True, weight_decay=5e-4, schedule="onecycle")
EPOCHS, PEAK_LR = 5, 0.1


@cache
def network_classes(nn: Any) -> tuple[type, type]:
    """The block and the network, written once as subclasses of `nn.Module` for our nn or for
    torch.nn: the submodule names (torchvision's: conv1, bn1, downsample, fc) and hence the
    state_dict keys are the same in both."""

    class BasicBlock(nn.Module):
        def __init__(self, in_channels: int, out_channels: int, stride: int):
            super().__init__()
            # No conv bias: the BatchNorm after each conv subtracts the mean, bias and all.
            self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(out_channels)
            self.relu = nn.ReLU()
            self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(out_channels)
            reshaped = stride != 1 or in_channels != out_channels
            # Where the block changes the shape, X must be brought to Y's shape to be added.
            self.downsample = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                                            nn.BatchNorm2d(out_channels)) if reshaped else None

        def forward(self, x: Any) -> Any:
            shortcut = x if self.downsample is None else self.downsample(x)
            residual = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
            return self.relu(residual + shortcut)

    class ResNet(nn.Module):
        def __init__(self, widths: tuple[int, ...], in_channels: int = 1, num_classes: int = 10):
            super().__init__()
            self.conv1 = nn.Conv2d(in_channels, widths[0], 3, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(widths[0])
            self.relu = nn.ReLU()
            blocks = [BasicBlock(widths[max(stage - 1, 0)], width, 1 if stage == 0 else 2) for stage, width in enumerate(widths)]
            self.stages = nn.Sequential(*blocks)
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.flatten = nn.Flatten()
            self.fc = nn.Linear(widths[-1], num_classes)

        def forward(self, x: Any) -> Any:
            features = self.stages(self.relu(self.bn1(self.conv1(x))))
            return self.fc(self.flatten(self.avgpool(features)))

    return BasicBlock, ResNet


def build_model(nn: Any, widths: tuple[int, ...] = WIDTHS) -> Any:
    """The ResNet in our nn or in torch.nn, one stage per width."""
    return network_classes(nn)[1](tuple(widths))


def widths_flag(text: str) -> tuple[int, ...]:
    widths = tuple(int(width) for width in text.split(","))
    if min(widths) < 1:
        raise argparse.ArgumentTypeError(f"expected positive comma-separated channel counts, got {text!r}")
    return widths


def parse_flags(argv: list[str] | None = None) -> argparse.Namespace:
    """classifier.py's flags with this example's recipe as their defaults, and --widths."""
    parser = make_parser(__doc__.splitlines()[0], EPOCHS, **RECIPE)
    parser.add_argument("--widths", type=widths_flag, default=WIDTHS, help="channels of each stage, comma-separated")
    return parse_args(parser, PEAK_LR, argv)


if __name__ == "__main__":
    args = parse_flags()
    run(args, lambda nn: build_model(nn, args.widths), lambda torch: build_model(torch.nn, args.widths), "resnet")
