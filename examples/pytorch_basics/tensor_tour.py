"""A tour of PyTorch tensors: creation, dtypes, indexing, reshaping, math, reductions,
devices and one gradient, each printed as shape, dtype and values.

Every printed value is computed without randomness (the random tensors show only their shape
and range), so the output is the same in every framework that follows PyTorch's semantics.

A plain PyTorch program: run it with `python tensor_tour.py`, or on tinygrad_edu with
`python -m tinygrad_edu.as_torch tensor_tour.py`.
"""
import torch


def rounded(values):
    """Nested lists of numbers, floats rounded to 4 places (libraries differ in the last bits)."""
    if isinstance(values, list):
        return [rounded(value) for value in values]
    return round(values, 4) if isinstance(values, float) else values


def show(label, tensor):
    dtype = str(tensor.dtype).replace("torch.", "")
    print(f"{label:<28} shape={list(tensor.shape)} dtype={dtype} {rounded(tensor.tolist())}")


print("-- creation")
show("tensor", torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
show("zeros", torch.zeros(2, 3))
show("ones int64", torch.ones(2, 2, dtype=torch.int64))
show("full", torch.full((2, 2), 7.5))
show("arange", torch.arange(0, 10, 3))
show("linspace", torch.linspace(0, 1, 5))
show("eye", torch.eye(3))
show("zeros_like", torch.zeros_like(torch.eye(2)))
torch.manual_seed(0)
noise = torch.rand(3, 4)
print(f"{'rand':<28} shape={list(noise.shape)} in [0, 1): {bool(((noise >= 0) & (noise < 1)).all())}")

print("-- dtypes")
integers = torch.tensor([1, 2, 3])
show("integers", integers)
show("integers / 2", integers / 2)
show("integers * 1.5", integers * 1.5)
show("to float64", integers.to(torch.float64))
show("float()", integers.float())
show("long()", torch.tensor([1.7, -1.7]).long())
show("comparison", integers > 1)
print(f"{'default dtype':<28} {str(torch.get_default_dtype()).replace('torch.', '')}")

print("-- indexing")
grid = torch.arange(12).reshape(3, 4)
show("grid", grid)
show("grid[0]", grid[0])
show("grid[:, 1]", grid[:, 1])
show("grid[1:, ::2]", grid[1:, ::2])
show("grid[[0, 2]]", grid[[0, 2]])
show("grid[grid > 6]", grid[grid > 6])
print(f"{'grid[1, 2].item()':<28} {grid[1, 2].item()}")

print("-- reshaping")
show("view(4, 3)", grid.view(4, 3))
show("reshape(2, -1)", grid.reshape(2, -1))
show("permute(1, 0)", grid.permute(1, 0))
show("transpose(0, 1)", grid.transpose(0, 1))
show("unsqueeze(0)", grid.unsqueeze(0))
show("squeeze", grid.unsqueeze(0).squeeze())
show("flatten", grid.flatten())
show("cat dim=0", torch.cat([grid, grid], dim=0))
show("stack dim=0", torch.stack([grid[0], grid[1]], dim=0))

print("-- math")
a = torch.tensor([[1.0, -2.0], [3.0, 0.5]])
b = torch.tensor([[0.5, 1.0], [-1.0, 2.0]])
show("a + b", a + b)
show("a * b", a * b)
show("a @ b", a @ b)
show("a ** 2", a ** 2)
show("exp(a)", torch.exp(a))
show("sin(a)", torch.sin(a))
show("sqrt(abs(a))", torch.sqrt(torch.abs(a)))
show("clamp(a, min=0)", torch.clamp(a, min=0))
show("maximum(a, b)", torch.maximum(a, b))

print("-- reductions")
show("sum", a.sum())
show("sum(dim=0)", a.sum(dim=0))
show("mean(dim=1, keepdim)", a.mean(dim=1, keepdim=True))
values, indices = a.max(dim=1)
show("max(dim=1).values", values)
show("max(dim=1).indices", indices)
show("argmax", a.argmax())
show("min", a.min())

print("-- devices")
device = "cuda" if torch.cuda.is_available() else "cpu"
on_device = a.to(device)
print(f"{'device type':<28} {on_device.device.type}")
show("back on the cpu", on_device.cpu())

print("-- a gradient")
w = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
loss = (w ** 2).sum() + (w * torch.tensor([1.0, 2.0, 3.0])).sum()
loss.backward()
show("d loss / dw = 2w + c", w.grad)

target = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
final = ((a @ b - target) ** 2).mean()
print(f"final loss: {final.item():.8f}")
