"""Einstein summation: torch.einsum("ij,jk->ik", A, B).

Y = einsum(eq, X₁, …, Xₙ) is linear in each operand, so dE/dXᵢ is itself an einsum: dE/dY
contracted with every other operand, with Xᵢ's subscripts as the output. Two cases need a
constant operand: a letter repeated in Xᵢ ("ii->i", a diagonal) gets an identity matrix (the
gradient lands on the diagonal only), and a letter that only Xᵢ has (summed away in forward)
gets a vector of ones (the gradient is broadcast along it). Since the backward is an einsum of
Tensors when gradients are differentiated again, gradients of any order work.
"""
from __future__ import annotations

import string
from typing import Any

import numpy as np

from ..errors import ShapeError
from ..function import Context, Function
from ..tensor import Tensor

_LETTERS = string.ascii_letters


def parse(equation: str, shapes: list[tuple[int, ...]]) -> tuple[list[str], str]:
    """Each operand's subscripts and the output's, with "..." spelled out as letters and the
    implicit output (no "->": the letters used once, in alphabetical order) made explicit."""
    equation = equation.replace(" ", "")
    inputs_part, arrow, output = equation.partition("->")
    inputs = inputs_part.split(",")
    if len(inputs) != len(shapes):
        raise ShapeError(f"einsum(): the equation {equation!r} has {len(inputs)} operands but {len(shapes)} tensors were given")
    unused = [letter for letter in _LETTERS if letter not in equation]
    ellipsis_dims = max((len(shape) - len(term.replace("...", "")) for term, shape in zip(inputs, shapes) if "..." in term), default=0)
    ellipsis = "".join(unused[:ellipsis_dims])
    spelled = []
    for term, shape in zip(inputs, shapes):
        if "..." in term:
            term = term.replace("...", ellipsis[ellipsis_dims - (len(shape) - len(term) + 3) :])
        if len(term) != len(shape) or not all(letter in _LETTERS for letter in term):
            raise ShapeError(f"einsum(): the subscripts {term!r} do not fit an operand of shape {shape}")
        spelled.append(term)
    if arrow:
        output = output.replace("...", ellipsis)
    else:
        counts = "".join(spelled)
        output = ellipsis + "".join(sorted(letter for letter in set(counts) if counts.count(letter) == 1 and letter not in ellipsis))
    return spelled, output


def _einsum_of(equation: str, *operands: Any) -> Any:
    """einsum on arrays (numpy's, with its contraction order optimised), or on Tensors (the op)."""
    if any(isinstance(operand, Tensor) for operand in operands):
        return Einsum.apply(equation, *operands)
    return np.einsum(equation, *operands, optimize=len(operands) > 2)


class Einsum(Function):
    """Y = einsum(eq, X₁, …, Xₙ) (eq fully explicit: every letter sized alike everywhere);
    dE/dXᵢ = einsum(dE/dY and every Xⱼ, j ≠ i → Xᵢ's subscripts)."""

    @staticmethod
    def forward(ctx: Context, equation: str, *operands: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(*operands)
        ctx.equation = equation
        return np.asarray(np.einsum(equation, *operands, optimize=len(operands) > 2))

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, ...]:
        operands = ctx.saved_tensors
        inputs, output = ctx.equation.split("->")
        terms = inputs.split(",")
        sizes = {letter: size for term, operand in zip(terms, operands) for letter, size in zip(term, operand.shape)}
        grads = []
        for i, (term, needed) in enumerate(zip(terms, ctx.needs_input_grad[1:])):
            if not needed:
                grads.append(None)
                continue
            others = [output] + [t for j, t in enumerate(terms) if j != i]
            arguments = [grad_output] + [operand for j, operand in enumerate(operands) if j != i]
            target, unused = "", [letter for letter in _LETTERS if letter not in ctx.equation]
            for letter in term:
                if letter in target:  # a repeated letter: the gradient sits on the diagonal
                    twin = unused.pop()
                    target += twin
                    others.append(letter + twin)
                    arguments.append(np.eye(sizes[letter], dtype=operands[i].dtype))
                else:
                    target += letter
            for letter in dict.fromkeys(term):
                if not any(letter in t for t in others):  # summed away: the gradient is broadcast along it
                    others.append(letter)
                    arguments.append(np.ones(sizes[letter], dtype=operands[i].dtype))
            grads.append(_einsum_of(",".join(others) + "->" + target, *arguments))
        return (None, *grads)
