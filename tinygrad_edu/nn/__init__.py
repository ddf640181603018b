"""Neural-network building blocks on the autograd engine, named and laid out as torch.nn."""
from . import functional, init
from .activation import ReLU, Sigmoid, Tanh
from .container import ModuleDict, ModuleList, Sequential
from .conv import Conv2d
from .dropout import Dropout
from .flatten import Flatten
from .linear import Linear
from .loss import CrossEntropyLoss, MSELoss
from .module import Module
from .parameter import Parameter
from .parameter_containers import ParameterDict, ParameterList
from .pooling import MaxPool2d
from .random import manual_seed

__all__ = [
    "functional", "init", "manual_seed",
    "Module", "Parameter", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict",
    "Linear", "Conv2d", "MaxPool2d", "Flatten", "Dropout",
    "Tanh", "ReLU", "Sigmoid",
    "MSELoss", "CrossEntropyLoss",
]
