"""A correct cnns module with explicit loops, a transposed Linear and a batch sampler.

conv_output_size divides with math.floor; TinyVGG keeps its convolutions in an
nn.ModuleDict and its Linear weight as an (in, out) parameter used as
``x @ W + b``; the loader is built on a BatchSampler over a RandomSampler with its
own generator; train_epoch and evaluate average over ``len(loader.dataset)``,
turn the device into a ``torch.device`` and switch autograd with
``torch.set_grad_enabled``; fit collects its history in a defaultdict.
"""

import collections
import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, SequentialSampler, TensorDataset


def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return int(math.floor((size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride)) + 1


class TinyVGG(nn.Module):
    def __init__(self, in_channels, hidden_units, num_classes, image_size):
        super().__init__()
        names = ["a1", "a2", "b1", "b2"]
        sizes = [in_channels, hidden_units, hidden_units, hidden_units]
        self.convs = nn.ModuleDict({n: nn.Conv2d(c, hidden_units, 3, padding=1) for n, c in zip(names, sizes)})
        features = hidden_units * (image_size // 4) ** 2
        self.weight = nn.Parameter(torch.randn(features, num_classes) / math.sqrt(features))
        self.bias = nn.Parameter(torch.zeros(num_classes))

    def forward(self, x):
        for i, name in enumerate(self.convs):
            x = F.relu(self.convs[name](x))
            if i % 2:
                x = F.max_pool2d(x, 2)
        return x.view(len(x), -1) @ self.weight + self.bias


def make_loader(X, y, batch_size, *, shuffle=False, seed=0):
    dataset = TensorDataset(X, y)
    if shuffle:
        sampler = RandomSampler(dataset, generator=torch.Generator().manual_seed(seed))
    else:
        sampler = SequentialSampler(dataset)
    return DataLoader(dataset, batch_sampler=BatchSampler(sampler, batch_size, drop_last=False))


def _epoch(model, loader, loss_fn, device, optimizer=None):
    device = torch.device(device)
    total, hits = 0.0, 0
    with torch.set_grad_enabled(optimizer is not None):
        for X, y in loader:
            X, y = X.to(device), y.to(device)
            out = model(X)
            loss = loss_fn(out, y)
            if optimizer is not None:
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            total += loss.item() * X.size(0)
            hits += int((out.argmax(1) == y).float().sum().item())
    n = len(loader.dataset)
    return total / n, hits / n


def train_epoch(model, loader, loss_fn, optimizer, device):
    model.train()
    return _epoch(model, loader, loss_fn, device, optimizer)


def evaluate(model, loader, loss_fn, device):
    model.eval()
    return _epoch(model, loader, loss_fn, device)


def fit(model, train_loader, test_loader, *, epochs, lr, device):
    model = model.to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = collections.defaultdict(list)
    for _ in range(epochs):
        for prefix, result in (("train", train_epoch(model, train_loader, loss_fn, optimizer, device)),
                               ("test", evaluate(model, test_loader, loss_fn, device))):
            history[prefix + "_loss"].append(result[0])
            history[prefix + "_acc"].append(result[1])
    return history
