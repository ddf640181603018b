"""Creation functions (tg.tensor, tg.zeros, tg.arange, tg.rand, ...): values, shapes, dtypes as
torch infers them, seeds, and errors. Where PyTorch is installed, dtype inference and the
deterministic functions' values are compared with it."""
import numpy as np
import pytest

import tinygrad_edu as tg

try:
    import torch
except ImportError:  # the oracle is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch (the optional oracle) is not installed")


def dtype_name(dtype):
    """"float32" from tg's float32 or from torch.float32."""
    return str(dtype).removeprefix("torch.")


# ---- tg.tensor: dtype inference as torch ------------------------------------------------------
INFERENCE_CASES = [
    ([1, 2], "int64"), ([1.0, 2.0], "float32"), ([True, False], "bool"), (3, "int64"), (3.5, "float32"),
    (True, "bool"), ([[1, 2], [3, 4.0]], "float32"), ([True, 2], "int64"), ([], "float32"),
    (np.array([1.0, 2.0]), "float64"), (np.array([1, 2], dtype=np.int32), "int32"),
    (np.array([1, 2], dtype=np.uint8), "uint8"), (np.float64(2.0), "float64"),
]


@pytest.mark.parametrize("data, expected", INFERENCE_CASES, ids=[repr(case[0]) for case in INFERENCE_CASES])
def test_tensor_infers_the_dtype_as_torch(data, expected):
    assert tg.tensor(data).dtype == expected
    np.testing.assert_array_equal(tg.tensor(data).numpy(), np.asarray(data))


@needs_torch
@pytest.mark.parametrize("data, expected", INFERENCE_CASES, ids=[repr(case[0]) for case in INFERENCE_CASES])
def test_tensor_dtype_inference_matches_torch(data, expected):
    assert dtype_name(torch.tensor(data).dtype) == dtype_name(tg.tensor(data).dtype)


def test_tensor_copies_its_data_and_a_tensor_becomes_a_new_leaf():
    source = np.array([1.0, 2.0])
    x = tg.tensor(source)
    source[0] = 9.0
    assert x.numpy()[0] == 1.0
    y = tg.tensor([1.0, 2.0], requires_grad=True) * 2
    copy = tg.tensor(y)
    assert copy.is_leaf and not copy.requires_grad and copy.dtype == y.dtype
    assert not np.shares_memory(copy.numpy(), y.numpy())


def test_tensor_of_a_list_of_tensors():
    a, b = tg.tensor([1.0, 2.0]).sum(), tg.tensor(5.0)
    x = tg.tensor([a, b])
    assert x.dtype == tg.float32 and x.shape == (2,)
    np.testing.assert_array_equal(x.numpy(), [3.0, 5.0])
    assert tg.tensor([[tg.tensor(1), 2], [3, 4]]).dtype == tg.int64


def test_tensor_takes_dtype_and_requires_grad():
    x = tg.tensor([1, 2], dtype=tg.float64, requires_grad=True)
    assert x.dtype == tg.float64 and x.requires_grad
    np.testing.assert_array_equal(tg.tensor([1.5, 2.7], dtype=tg.long).numpy(), [1, 2])


def test_the_default_dtype_decides_what_python_floats_become():
    try:
        tg.set_default_dtype(tg.float64)
        assert tg.tensor([1.0]).dtype == tg.float64
        assert tg.zeros(2).dtype == tg.float64 and tg.arange(0, 1, 0.5).dtype == tg.float64
        assert tg.tensor([1]).dtype == tg.int64  # ints are not affected
    finally:
        tg.set_default_dtype(tg.float32)
    assert tg.tensor([1.0]).dtype == tg.float32


def test_as_tensor_and_from_numpy_share_memory_where_they_can():
    array = np.array([1.0, 2.0])
    assert np.shares_memory(tg.as_tensor(array).numpy(), array)
    assert np.shares_memory(tg.from_numpy(array).numpy(), array)
    assert tg.from_numpy(array).dtype == tg.float64
    assert not np.shares_memory(tg.as_tensor(array, dtype=tg.float32).numpy(), array)
    x = tg.ones(2)
    assert tg.as_tensor(x) is x
    assert tg.as_tensor(x, dtype=tg.float64).dtype == tg.float64
    assert tg.as_tensor([1, 2]).dtype == tg.int64


# ---- filled tensors ----------------------------------------------------------------------------
@pytest.mark.parametrize("make", [tg.zeros, tg.ones, tg.empty, tg.rand, tg.randn])
@pytest.mark.parametrize("size", [(2, 3), ((2, 3),), ([2, 3],)], ids=["varargs", "tuple", "list"])
def test_sizes_as_varargs_tuple_or_list(make, size):
    x = make(*size)
    assert x.shape == (2, 3) and x.dtype == tg.float32 and not x.requires_grad


@pytest.mark.parametrize("make", [tg.zeros, tg.ones, tg.empty, tg.rand, tg.randn])
def test_size_as_a_keyword(make):
    assert make(size=(2, 3)).shape == (2, 3) and make(size=[4]).shape == (4,)
    with pytest.raises(TypeError, match="both"):
        make(2, size=(2,))


def test_zeros_ones_full_values_and_dtypes():
    np.testing.assert_array_equal(tg.zeros(2, 2).numpy(), np.zeros((2, 2)))
    np.testing.assert_array_equal(tg.ones(3, dtype=tg.int32).numpy(), [1, 1, 1])
    assert tg.ones(3, dtype=tg.int32).dtype == tg.int32
    assert tg.zeros(()).shape == () and tg.zeros(0, 3).shape == (0, 3)
    np.testing.assert_array_equal(tg.full((2,), 7).numpy(), [7, 7])
    assert tg.full((2,), 7).dtype == tg.int64
    assert tg.full((2,), 7.0).dtype == tg.float32
    assert tg.full((2,), True).dtype == tg.bool
    assert tg.full((2,), 7, dtype=tg.float64).dtype == tg.float64
    assert tg.full([2, 1], 0.5).shape == (2, 1)


@needs_torch
@pytest.mark.parametrize("fill", [7, 7.5, True])
def test_full_infers_the_fill_values_dtype_as_torch(fill):
    assert dtype_name(tg.full((2,), fill).dtype) == dtype_name(torch.full((2,), fill).dtype)


def test_like_functions_keep_shape_and_dtype_unless_told():
    x = tg.tensor([[1, 2, 3]], dtype=tg.int32)
    for like in (tg.zeros_like(x), tg.ones_like(x), tg.empty_like(x), tg.full_like(x, 4)):
        assert like.shape == (1, 3) and like.dtype == tg.int32
    np.testing.assert_array_equal(tg.full_like(x, 4).numpy(), [[4, 4, 4]])
    np.testing.assert_array_equal(tg.ones_like(x, dtype=tg.float64).numpy(), [[1.0, 1.0, 1.0]])
    assert tg.zeros_like(x, dtype=tg.float64).dtype == tg.float64
    assert tg.zeros_like(tg.ones(2), requires_grad=True).requires_grad


def test_requires_grad_on_creation():
    x = tg.zeros(2, requires_grad=True)
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])
    with pytest.raises(TypeError, match="floating"):
        tg.zeros(2, dtype=tg.int64, requires_grad=True)


def test_bad_sizes_are_refused():
    with pytest.raises(TypeError, match="size"):
        tg.zeros(2.5)
    with pytest.raises(RuntimeError, match="negative"):
        tg.ones(-1, 2)


# ---- ranges and grids --------------------------------------------------------------------------
ARANGE_CASES = [((5,), "int64"), ((2, 8, 3), "int64"), ((0, 1, 0.25), "float32"), ((1.0, 4), "float32"),
                ((5, 0, -1), "int64"), ((0, 2.5), "float32"), ((-1.5, 1.5, 0.5), "float32")]


@pytest.mark.parametrize("args, dtype", ARANGE_CASES, ids=[repr(case[0]) for case in ARANGE_CASES])
def test_arange_values_and_dtype(args, dtype):
    x = tg.arange(*args)
    assert x.dtype == dtype
    np.testing.assert_allclose(x.numpy(), np.arange(*args))


@needs_torch
@pytest.mark.parametrize("args, dtype", ARANGE_CASES, ids=[repr(case[0]) for case in ARANGE_CASES])
def test_arange_matches_torch(args, dtype):
    expected = torch.arange(*args)
    assert dtype_name(tg.arange(*args).dtype) == dtype_name(expected.dtype)
    np.testing.assert_array_equal(tg.arange(*args).numpy(), expected.numpy())


def test_arange_keywords_and_errors():
    np.testing.assert_array_equal(tg.arange(start=1, end=4).numpy(), [1, 2, 3])
    assert tg.arange(3, dtype=tg.float64).dtype == tg.float64
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        tg.arange(0, 5, 0)
    with pytest.raises(RuntimeError, match="inconsistent with step sign"):
        tg.arange(0, 5, -1)


def test_linspace_logspace_and_eye():
    np.testing.assert_allclose(tg.linspace(0, 1, 5).numpy(), [0, 0.25, 0.5, 0.75, 1.0])
    assert tg.linspace(0, 1, 5).dtype == tg.float32
    np.testing.assert_array_equal(tg.linspace(0, 10, 4, dtype=tg.int64).numpy(), [0, 3, 6, 10])
    assert tg.linspace(2, 3, 1).numpy().tolist() == [2.0] and tg.linspace(0, 1, 0).shape == (0,)
    np.testing.assert_allclose(tg.logspace(0, 3, 4).numpy(), [1, 10, 100, 1000])
    np.testing.assert_allclose(tg.logspace(0, 3, 4, base=2).numpy(), [1, 2, 4, 8])
    np.testing.assert_array_equal(tg.eye(3).numpy(), np.eye(3))
    np.testing.assert_array_equal(tg.eye(2, 3, dtype=tg.int64).numpy(), np.eye(2, 3))
    assert tg.eye(2).dtype == tg.float32


@needs_torch
def test_linspace_and_logspace_match_torch():
    np.testing.assert_allclose(tg.linspace(-3, 7, 11).numpy(), torch.linspace(-3, 7, 11).numpy(), rtol=1e-6)
    np.testing.assert_allclose(tg.logspace(-1, 2, 7).numpy(), torch.logspace(-1, 2, 7).numpy(), rtol=1e-6)


@pytest.mark.parametrize("row, col, offset", [(3, 3, 0), (4, 2, 1), (2, 5, -1), (3, 3, -5)])
def test_tril_and_triu_indices(row, col, offset):
    lower, upper = tg.tril_indices(row, col, offset), tg.triu_indices(row, col, offset)
    assert lower.dtype == tg.int64 and lower.shape[0] == 2
    np.testing.assert_array_equal(lower.numpy(), np.stack(np.tril_indices(row, offset, col)))
    np.testing.assert_array_equal(upper.numpy(), np.stack(np.triu_indices(row, offset, col)))
    if torch is not None:
        np.testing.assert_array_equal(lower.numpy(), torch.tril_indices(row, col, offset).numpy())
        np.testing.assert_array_equal(upper.numpy(), torch.triu_indices(row, col, offset).numpy())


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid_as_numpy_with_gradients(indexing):
    a = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = tg.tensor([10.0, 20.0], requires_grad=True)
    c = tg.tensor([5.0, 6.0, 7.0, 8.0])
    grids = tg.meshgrid(a, b, c, indexing=indexing)
    expected = np.meshgrid(a.numpy(), b.numpy(), c.numpy(), indexing=indexing)
    for grid, want in zip(grids, expected):
        np.testing.assert_array_equal(grid.numpy(), want)
    (grids[0] * grids[1]).sum().backward()
    # each a_i meets every b_j in 4 cells (one per c): d/da_i = 4 * sum(b), d/db_j = 4 * sum(a)
    np.testing.assert_allclose(a.grad.numpy(), [120.0] * 3)
    np.testing.assert_allclose(b.grad.numpy(), [24.0] * 2)
    pair_shape = (3, 2) if indexing == "ij" else (2, 3)
    assert [g.shape for g in tg.meshgrid([a, b], indexing=indexing)] == [pair_shape, pair_shape]


def test_meshgrid_errors():
    with pytest.raises(ValueError, match="indexing"):
        tg.meshgrid(tg.ones(2), indexing="ji")
    with pytest.raises(RuntimeError, match="1-D"):
        tg.meshgrid(tg.ones(2, 2))


# ---- random tensors: distributions ------------------------------------------------------------
def test_rand_is_uniform_on_zero_one_and_randn_is_standard_normal():
    tg.manual_seed(0)
    u, z = tg.rand(20000), tg.randn(20000)
    assert u.dtype == z.dtype == tg.float32
    assert 0.0 <= u.numpy().min() and u.numpy().max() < 1.0
    assert abs(u.numpy().mean() - 0.5) < 0.01
    assert abs(z.numpy().mean()) < 0.03 and abs(z.numpy().std() - 1.0) < 0.03
    assert tg.rand(3, dtype=tg.float64).dtype == tg.float64 and tg.randn(3, dtype=tg.half).dtype == tg.float16
    assert tg.randn(2, requires_grad=True).requires_grad


def test_rand_refuses_integer_dtypes():
    with pytest.raises(TypeError, match="float"):
        tg.rand(2, dtype=tg.int64)
    with pytest.raises(TypeError, match="float"):
        tg.randn_like(tg.tensor([1, 2]))


@pytest.mark.parametrize("call, low, high, shape", [
    (lambda: tg.randint(5, (1000,)), 0, 5, (1000,)),
    (lambda: tg.randint(3, 7, (10, 100)), 3, 7, (10, 100)),
    (lambda: tg.randint(low=-2, high=2, size=(500,)), -2, 2, (500,)),
    (lambda: tg.randint(4, size=[2, 300]), 0, 4, (2, 300)),
])
def test_randint_forms_bounds_and_dtype(call, low, high, shape):
    x = call()
    assert x.shape == shape and x.dtype == tg.int64
    assert sorted(np.unique(x.numpy()).tolist()) == list(range(low, high))  # every value, none outside


def test_randint_errors_and_dtype():
    assert tg.randint(0, 2, (3,), dtype=tg.int32).dtype == tg.int32
    with pytest.raises(RuntimeError, match="from=5 >= to=3"):
        tg.randint(5, 3, (2,))
    with pytest.raises(TypeError, match="size"):
        tg.randint(5)


def test_randperm_is_a_permutation():
    p = tg.randperm(50)
    assert p.dtype == tg.int64 and sorted(p.numpy().tolist()) == list(range(50))
    assert tg.randperm(0).shape == (0,)


def test_like_random_functions():
    x = tg.zeros(3, 4, dtype=tg.float64)
    assert tg.rand_like(x).shape == (3, 4) and tg.rand_like(x).dtype == tg.float64
    assert tg.randn_like(x, dtype=tg.float32).dtype == tg.float32
    counts = tg.randint_like(x, 10).numpy()
    assert counts.dtype == np.float64 and set(np.unique(counts)) <= set(range(10))
    assert set(np.unique(tg.randint_like(tg.zeros(200, dtype=tg.int64), 5, 7).numpy())) == {5, 6}


def test_normal_forms():
    tg.manual_seed(1)
    draws = tg.normal(2.0, 3.0, (20000,))
    assert draws.dtype == tg.float32 and abs(draws.numpy().mean() - 2.0) < 0.1 and abs(draws.numpy().std() - 3.0) < 0.1
    means = tg.tensor([0.0, 100.0, -100.0], dtype=tg.float64)
    x = tg.normal(means, 0.0)
    assert x.dtype == tg.float64
    np.testing.assert_array_equal(x.numpy(), means.numpy())  # std 0: exactly the means
    y = tg.normal(means.reshape(3, 1), tg.ones(1, 4, dtype=tg.float64))
    assert y.shape == (3, 4)
    np.testing.assert_array_equal(tg.normal(5.0, tg.zeros(2)).numpy(), [5.0, 5.0])


def test_normal_errors():
    with pytest.raises(RuntimeError, match="std >= 0.0"):
        tg.normal(0.0, -1.0, (2,))
    with pytest.raises(RuntimeError, match="std >= 0.0"):
        tg.normal(tg.zeros(2), tg.tensor([1.0, -1.0]))
    with pytest.raises(TypeError, match="size"):
        tg.normal(0.0, 1.0)


def test_bernoulli():
    p = tg.tensor([0.0, 1.0, 0.0, 1.0], dtype=tg.float64)
    x = tg.bernoulli(p)
    assert x.dtype == tg.float64
    np.testing.assert_array_equal(x.numpy(), [0, 1, 0, 1])
    tg.manual_seed(2)
    assert abs(tg.bernoulli(tg.full((20000,), 0.3)).numpy().mean() - 0.3) < 0.02
    np.testing.assert_array_equal(tg.bernoulli(tg.zeros(3), p=1.0).numpy(), [1, 1, 1])
    with pytest.raises(RuntimeError, match=r"\[0, 1\]"):
        tg.bernoulli(tg.tensor([1.5]))


def test_multinomial_with_replacement_follows_the_weights():
    tg.manual_seed(3)
    weights = tg.tensor([[0.0, 1.0, 3.0], [5.0, 0.0, 0.0]])
    samples = tg.multinomial(weights, 4000, replacement=True)
    assert samples.shape == (2, 4000) and samples.dtype == tg.int64
    first = np.bincount(samples.numpy()[0], minlength=3) / 4000
    np.testing.assert_allclose(first, [0.0, 0.25, 0.75], atol=0.03)
    assert (samples.numpy()[1] == 0).all()


def test_multinomial_without_replacement_draws_each_category_once():
    tg.manual_seed(4)
    weights = tg.tensor([1.0, 0.0, 2.0, 4.0, 0.5])
    for _ in range(20):
        sample = tg.multinomial(weights, 4).numpy()
        assert sample.shape == (4,) and len(set(sample.tolist())) == 4 and 1 not in sample
    # the heaviest category comes first most often (weight 4 of 7.5)
    firsts = [tg.multinomial(weights, 1).item() for _ in range(2000)]
    assert abs(firsts.count(3) / 2000 - 4 / 7.5) < 0.04


def test_multinomial_errors():
    with pytest.raises(RuntimeError, match="without replacement"):
        tg.multinomial(tg.tensor([1.0, 0.0, 0.0]), 2)
    with pytest.raises(RuntimeError, match="element < 0"):
        tg.multinomial(tg.tensor([1.0, -1.0]), 1)
    with pytest.raises(RuntimeError, match="sum of probabilities"):
        tg.multinomial(tg.zeros(3), 1, replacement=True)
    with pytest.raises(RuntimeError, match="1 or 2 dim"):
        tg.multinomial(tg.ones(2, 2, 2), 1)


# ---- seeds and generators --------------------------------------------------------------------
RANDOM_CALLS = {
    "rand": lambda **kw: tg.rand(3, 2, **kw), "randn": lambda **kw: tg.randn(5, **kw),
    "randint": lambda **kw: tg.randint(0, 100, (6,), **kw), "randperm": lambda **kw: tg.randperm(8, **kw),
    "normal": lambda **kw: tg.normal(0.0, 1.0, (4,), **kw),
    "bernoulli": lambda **kw: tg.bernoulli(tg.full((8,), 0.5), **kw),
    "multinomial": lambda **kw: tg.multinomial(tg.ones(6), 3, **kw),
    "rand_like": lambda **kw: tg.rand_like(tg.zeros(4), **kw),
}


@pytest.mark.parametrize("name", list(RANDOM_CALLS))
def test_manual_seed_repeats_the_draws(name):
    call = RANDOM_CALLS[name]
    tg.manual_seed(123)
    first, second = call().numpy(), call().numpy()
    tg.manual_seed(123)
    np.testing.assert_array_equal(call().numpy(), first)
    np.testing.assert_array_equal(call().numpy(), second)


@pytest.mark.parametrize("name", list(RANDOM_CALLS))
def test_a_generator_repeats_its_draws_and_leaves_the_global_one_alone(name):
    call = RANDOM_CALLS[name]
    tg.manual_seed(5)
    expected_global = tg.rand(4).numpy()
    tg.manual_seed(5)
    first = call(generator=tg.Generator().manual_seed(9)).numpy()
    np.testing.assert_array_equal(tg.rand(4).numpy(), expected_global)
    np.testing.assert_array_equal(call(generator=tg.Generator().manual_seed(9)).numpy(), first)


def test_different_seeds_give_different_draws():
    tg.manual_seed(0)
    a = tg.rand(10).numpy()
    tg.manual_seed(1)
    assert not np.array_equal(a, tg.rand(10).numpy())


def test_generator_api():
    g = tg.Generator()
    assert g.initial_seed() == 67280421310721  # torch's seed for a new Generator
    assert g.manual_seed(42) is g and g.initial_seed() == 42
    new_seed = g.seed()
    assert isinstance(new_seed, int) and g.initial_seed() == new_seed
    assert tg.manual_seed(7) is tg.default_generator and tg.initial_seed() == 7
    assert str(g.device) == "cpu"
    with pytest.raises(ValueError, match="non-negative"):
        tg.manual_seed(-1)
    with pytest.raises(TypeError, match="Generator"):
        tg.rand(2, generator=np.random.default_rng(0))


def test_manual_seed_also_seeds_initialisation():
    tg.manual_seed(11)
    first = tg.nn.Linear(3, 2).weight.numpy().copy()
    tg.manual_seed(11)
    np.testing.assert_array_equal(tg.nn.Linear(3, 2).weight.numpy(), first)


@needs_torch
def test_random_dtypes_and_shapes_match_torch():
    pairs = [(tg.rand(2, 3), torch.rand(2, 3)), (tg.randint(5, (4,)), torch.randint(5, (4,))),
             (tg.randperm(3), torch.randperm(3)), (tg.normal(0.0, 1.0, (2,)), torch.normal(0.0, 1.0, (2,))),
             (tg.multinomial(tg.ones(2, 4), 2), torch.multinomial(torch.ones(2, 4), 2)),
             (tg.randint_like(tg.zeros(2), 3), torch.randint_like(torch.zeros(2), 3))]
    for ours, theirs in pairs:
        assert ours.shape == tuple(theirs.shape) and dtype_name(ours.dtype) == dtype_name(theirs.dtype)
