"""Data sets: MNIST and Fashion-MNIST (found on disk or downloaded, always checked), the
Fashion-MNIST sample that ships inside the package, and the tutorial's XOR.

Where `mnist(split)` and `fashion_mnist(split)` look, in order (the first folder that holds
both files of the split wins):

1. `root`, when given: only there, and nothing is downloaded;
2. `$TINYGRAD_EDU_DATA/mnist/` or `$TINYGRAD_EDU_DATA/fashion-mnist/` (a subfolder per data
   set, because both use the same four file names);
3. the user cache, `$XDG_CACHE_HOME/tinygrad_edu/<name>/` (`~/.cache/...` by default);
4. for Fashion-MNIST, `/usr/share/datasets/fashion-mnist/` (Debian's dataset-fashion-mnist);
5. else the files are downloaded into the user cache from the canonical mirrors.

A folder holds the canonical file names directly, gzipped or not:
`train-images-idx3-ubyte(.gz)`, `train-labels-idx1-ubyte(.gz)`, `t10k-images-idx3-ubyte(.gz)`,
`t10k-labels-idx1-ubyte(.gz)`.

Every file is checked twice over: as an IDX file (see `idx.py`) and by the SHA-256 of its
decompressed contents, which does not depend on who gzipped it (Debian's Fashion-MNIST and
the MNIST test files in this project's shared folder were recompressed, so their .gz bytes
differ from the mirrors' while their contents are the canonical ones). A download is also
checked by the SHA-256 of the .gz the mirror serves before it is moved into the cache.
"""
from __future__ import annotations

import hashlib
import os
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from .idx import IDXError, open_atomic, read_idx

SPLITS: dict[str, tuple[str, str]] = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)
SAMPLE_FOLDER = Path(__file__).parent / "sample"


class DatasetNotFoundError(FileNotFoundError):
    """The files of a data set are nowhere; the message lists where we looked and how to get them."""


class ChecksumError(ValueError):
    """A file's contents are not the ones its name promises."""


@dataclass(frozen=True)
class KnownFile:
    """The SHA-256 of a canonical file: of the .gz the mirrors serve, and of its contents."""

    gz_sha256: str
    sha256: str


@dataclass(frozen=True)
class DatasetSource:
    """Where one data set lives and how to recognise its files."""

    name: str                           # for messages: "Fashion-MNIST"
    folder: str                         # its subfolder of $TINYGRAD_EDU_DATA and of the cache
    files: dict[str, KnownFile]         # canonical name (without .gz) -> checksums
    mirrors: tuple[str, ...]            # base URLs, tried in order
    system_folders: tuple[str, ...] = ()
    how_to_get: tuple[str, ...] = ()


# Fashion-MNIST: the .gz checksums are the ones the mirrors serve (MD5s as published in the
# Fashion-MNIST README); the content checksums were computed here from Debian's files, whose
# decompressed MD5s match the published ones (f4a8712d..., 9018921c..., 8181f547..., 15d48437...).
FASHION_MNIST = DatasetSource(
    name="Fashion-MNIST",
    folder="fashion-mnist",
    files={
        "train-images-idx3-ubyte": KnownFile(
            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
            "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
        "train-labels-idx1-ubyte": KnownFile(
            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
            "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
        "t10k-images-idx3-ubyte": KnownFile(
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
            "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
        "t10k-labels-idx1-ubyte": KnownFile(
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
            "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
    },
    mirrors=(
        "https://fashion-mnist.s3.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    ),
    system_folders=("/usr/share/datasets/fashion-mnist",),
    how_to_get=(
        "sudo apt-get install dataset-fashion-mnist  (Debian/Ubuntu: the four files land in "
        "/usr/share/datasets/fashion-mnist)",
        "or download the four .gz files from https://github.com/zalandoresearch/fashion-mnist "
        "(data/fashion/) into a folder and pass root='that/folder', or put them in "
        "$TINYGRAD_EDU_DATA/fashion-mnist/",
        "or, offline, use tinygrad_edu.data.fashion_mnist_sample(split): 5,000 train and "
        "1,000 test images that ship with tinygrad_edu",
    ),
)

# MNIST: the .gz checksums are those of the files on the ossci and cvdf mirrors; the content
# checksums of the t10k files were computed here from ../shared/datasets/mnist (recompressed
# .gz, canonical contents), those of the train files are as published alongside the .gz ones.
MNIST = DatasetSource(
    name="MNIST",
    folder="mnist",
    files={
        "train-images-idx3-ubyte": KnownFile(
            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
        "train-labels-idx1-ubyte": KnownFile(
            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
        "t10k-images-idx3-ubyte": KnownFile(
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
        "t10k-labels-idx1-ubyte": KnownFile(
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
    },
    mirrors=(
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ),
    how_to_get=(
        "download the four .gz files from https://ossci-datasets.s3.amazonaws.com/mnist/ into "
        "a folder and pass root='that/folder', or put them in $TINYGRAD_EDU_DATA/mnist/",
    ),
)


def cache_folder(source: DatasetSource) -> Path:
    """`$XDG_CACHE_HOME/tinygrad_edu/<folder>`, `~/.cache/tinygrad_edu/<folder>` by default."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    # The XDG spec says to ignore a relative path.
    base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "tinygrad_edu" / source.folder


def _check_split(split: str) -> tuple[str, str]:
    if not isinstance(split, str) or split not in SPLITS:
        raise ValueError(f"split must be 'train' or 'test'; got {split!r}")
    return SPLITS[split]


def _places(source: DatasetSource, root: str | os.PathLike | None) -> list[tuple[str, Path | None]]:
    """(what, folder) in search order; folder None where the place is not configured."""
    if root is not None:
        return [("root argument", Path(root).expanduser())]
    env = os.environ.get("TINYGRAD_EDU_DATA", "")
    places: list[tuple[str, Path | None]] = [
        ("$TINYGRAD_EDU_DATA", Path(env).expanduser() / source.folder if env else None),
        ("user cache", cache_folder(source)),
    ]
    places += [("system folder", Path(folder)) for folder in source.system_folders]
    return places


def _file_in(folder: Path, name: str) -> Path | None:
    for candidate in (folder / f"{name}.gz", folder / name):
        if candidate.is_file():
            return candidate
    return None


def _identify(digest: str) -> str:
    for source in (MNIST, FASHION_MNIST):
        for name, known in source.files.items():
            if digest == known.sha256:
                return f" (it is {source.name}'s {name})"
    return ""


def _read_checked(path: Path, known: KnownFile | None) -> np.ndarray:
    sha256 = hashlib.sha256()
    array = read_idx(path, sha256)  # first: its errors say more than a checksum mismatch
    if known is not None:
        digest = sha256.hexdigest()
        if digest != known.sha256:
            raise ChecksumError(
                f"{path}: the decompressed contents have SHA-256 {digest}{_identify(digest)}, "
                f"expected {known.sha256}: a damaged or different file; replace or delete it"
            )
    return array


def _read_split(images_path: Path, labels_path: Path, known: dict[str, KnownFile],
                num_classes: int = 10) -> tuple[np.ndarray, np.ndarray]:
    images = _read_checked(images_path, known.get(images_path.name.removesuffix(".gz")))
    labels = _read_checked(labels_path, known.get(labels_path.name.removesuffix(".gz")))
    if images.ndim != 3 or images.dtype != np.uint8:
        raise IDXError(images_path, f"expected uint8 images (N, H, W); got {images.dtype} {images.shape}")
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise IDXError(labels_path, f"expected uint8 labels (N,); got {labels.dtype} {labels.shape}")
    if len(images) != len(labels):
        raise IDXError(labels_path, f"{len(labels)} labels for {len(images)} images in {images_path}")
    if labels.size and labels.max() >= num_classes:
        raise IDXError(labels_path, f"label {labels.max()} is not a class index below {num_classes}")
    return images, labels.astype(np.int64)


def _download(url: str, target: Path, expected_sha256: str, timeout: float) -> None:
    """Fetch `url` into `target` with a progress bar; only a file whose SHA-256 matches is kept."""
    digest = hashlib.sha256()
    with urllib.request.urlopen(url, timeout=timeout) as response:
        size = int(response.headers.get("Content-Length") or 0) or None
        with open_atomic(target) as file, tqdm(
            total=size, unit="B", unit_scale=True, unit_divisor=1024, desc=f"downloading {target.name}"
        ) as bar:
            for chunk in iter(lambda: response.read(1 << 16), b""):
                digest.update(chunk)
                file.write(chunk)
                bar.update(len(chunk))
            if digest.hexdigest() != expected_sha256:
                raise ChecksumError(
                    f"{url}: SHA-256 {digest.hexdigest()}, expected {expected_sha256}; not kept"
                )


def _fetch(source: DatasetSource, name: str, folder: Path, timeout: float) -> list[str]:
    """Download `name`.gz into `folder` from the first mirror that serves it intact; the
    failures, as messages (empty when it worked)."""
    failures = []
    for mirror in source.mirrors:
        url = f"{mirror}{name}.gz"
        try:
            _download(url, folder / f"{name}.gz", source.files[name].gz_sha256, timeout)
            return []
        except (OSError, ChecksumError) as error:  # URLError, HTTPError, timeouts are OSErrors
            failures.append(f"{url}: {error}")
    return failures


def _download_split(source: DatasetSource, names: tuple[str, str], folder: Path,
                    timeout: float) -> list[str]:
    """Download the files of a split that `folder` lacks; the failures, as messages."""
    for name in names:
        if _file_in(folder, name) is None:
            failures = _fetch(source, name, folder, timeout)
            if failures:
                return failures
    return []


def load_split(source: DatasetSource, split: str, root: str | os.PathLike | None = None,
               download: bool = True, timeout: float = 60.0) -> tuple[np.ndarray, np.ndarray, Path]:
    """Images, labels and the folder they came from, for one split of `source`
    (the search order is in this module's docstring)."""
    names = _check_split(split)
    report = []
    for what, folder in _places(source, root):
        if folder is None:
            report.append(f"{what}: not set")
            continue
        paths = [_file_in(folder, name) for name in names]
        if None not in paths:
            return (*_read_split(paths[0], paths[1], source.files), folder)
        missing = " and ".join(name for name, path in zip(names, paths) if path is None)
        state = "no such folder" if not folder.is_dir() else f"no {missing}[.gz]"
        report.append(f"{what}: {folder} ({state})")
    failures: list[str] = []
    if root is None and download and source.mirrors:
        failures = _download_split(source, names, cache_folder(source), timeout)
        if not failures:
            return load_split(source, split, cache_folder(source), download=False)
    message = [f"{source.name} ({split} split) not found. Looked for {names[0]}[.gz] and "
               f"{names[1]}[.gz] in:"]
    message += [f"  - {line}" for line in report]
    if failures:
        message.append("and could not download them:")
        message += [f"  - {line}" for line in failures]
    elif root is not None:
        message.append("(root was given: no other place searched, nothing downloaded)")
    elif not download:
        message.append("(download=False: no download tried)")
    message.append("To get the files:")
    message += [f"  - {line}" for line in source.how_to_get]
    raise DatasetNotFoundError("\n".join(message))


def mnist(split: str, root: str | os.PathLike | None = None,
          download: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """MNIST digits: uint8 images (N, 28, 28) with pixels 0..255 and int64 labels (N,) in
    0..9 (int64 so that `F.cross_entropy` takes them directly). `split` is "train" (60,000)
    or "test" (10,000); where the files are looked for is in this module's docstring."""
    images, labels, _ = load_split(MNIST, split, root, download)
    return images, labels


def fashion_mnist(split: str, root: str | os.PathLike | None = None,
                  download: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST (Zalando, MIT licence): uint8 images (N, 28, 28) and int64 labels (N,)
    in 0..9, named by `FASHION_MNIST_CLASSES`. `split` is "train" (60,000) or "test"
    (10,000); where the files are looked for is in this module's docstring."""
    images, labels, _ = load_split(FASHION_MNIST, split, root, download)
    return images, labels


def fashion_mnist_sample(split: str) -> tuple[np.ndarray, np.ndarray]:
    """The Fashion-MNIST sample inside the package: 5,000 train images (500 per class) and
    1,000 test images (100 per class), drawn with a fixed seed from the real splits by
    `tinygrad_edu.data.make_sample`. Same types as `fashion_mnist`. Licence: sample/LICENSE."""
    images_name, labels_name = _check_split(split)
    return _read_split(SAMPLE_FOLDER / f"{images_name}.gz", SAMPLE_FOLDER / f"{labels_name}.gz", {})


def load_fashion_mnist_or_sample(split: str, root: str | os.PathLike | None = None,
                                 download: bool = False) -> tuple[np.ndarray, np.ndarray, str]:
    """The real Fashion-MNIST split where it is found (no download unless asked), else the
    embedded sample: (images, labels, source) with source "fashion-mnist" or "sample"."""
    try:
        images, labels = fashion_mnist(split, root, download)
        return images, labels, "fashion-mnist"
    except DatasetNotFoundError:
        images, labels = fashion_mnist_sample(split)
        return images, labels, "sample"


def xor(dtype: type = np.float32) -> tuple[np.ndarray, np.ndarray]:
    """The tutorial's XOR set, shaped as it shapes it: x (4, 1, 2), y (4, 1, 1), one row
    vector per sample."""
    x = np.array([[[0, 0]], [[0, 1]], [[1, 0]], [[1, 1]]], dtype=dtype)
    y = np.array([[[0]], [[1]], [[1]], [[0]]], dtype=dtype)
    return x, y
