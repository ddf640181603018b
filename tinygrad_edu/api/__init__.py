"""PyTorch's tensor API by family: each module defines the `tg.X` functions of its family and
a mixin of the matching `Tensor` methods (one-line calls of those functions). `Tensor`
inherits the mixins, so `tg.add(x, y)` and `x.add(y)` are the same code. The math of every op
stays in `tinygrad_edu/ops/`."""
