"""A small classifier trained the way most PyTorch programs train: a Dataset, a DataLoader,
an nn.Module, a loss, an optimizer, and a device chosen once at the top.

The task: points (x₁, x₂) drawn from a standard normal, labelled 1 where x₁ x₂ > 0 (the
first and third quadrants) and 0 elsewhere. No straight line separates the classes, so the
network needs its hidden layer.

A plain PyTorch program: run it with `python training_loop.py`, or on tinygrad_edu with
`python -m tinygrad_edu.as_torch training_loop.py`.
"""
import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--epochs", type=int, default=30)
parser.add_argument("--samples", type=int, default=1024)
parser.add_argument("--batch-size", type=int, default=64)
parser.add_argument("--lr", type=float, default=0.01)
args = parser.parse_args()

device = "cuda" if torch.cuda.is_available() else "cpu"
torch.manual_seed(0)


def quadrants(count):
    points = torch.randn(count, 2)
    labels = (points[:, 0] * points[:, 1] > 0).long()
    return points, labels


class QuadrantNet(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.hidden = nn.Linear(2, hidden)
        self.out = nn.Linear(hidden, 2)

    def forward(self, x):
        return self.out(F.relu(self.hidden(x)))


train_points, train_labels = quadrants(args.samples)
test_points, test_labels = quadrants(512)
loader = DataLoader(TensorDataset(train_points, train_labels), batch_size=args.batch_size, shuffle=True)

model = QuadrantNet().to(device)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)


def evaluate(points, labels):
    model.eval()
    with torch.no_grad():
        points, labels = points.to(device), labels.to(device)
        logits = model(points)
        loss = loss_fn(logits, labels).item()
        accuracy = (logits.argmax(dim=1) == labels).float().mean().item()
    model.train()
    return loss, accuracy


for epoch in range(args.epochs):
    for points, labels in loader:
        points, labels = points.to(device), labels.to(device)
        loss = loss_fn(model(points), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    if epoch % 5 == 4 or epoch == args.epochs - 1:
        train_loss, train_accuracy = evaluate(train_points, train_labels)
        print(f"epoch {epoch + 1:3d}  train loss {train_loss:.4f}  accuracy {train_accuracy:.3f}")

test_loss, test_accuracy = evaluate(test_points, test_labels)
print(f"test accuracy: {test_accuracy:.3f}")
print(f"final loss: {test_loss:.8f}")
