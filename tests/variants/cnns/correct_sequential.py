"""A correct cnns module: one nn.Sequential built from a list, classes for the loop.

TinyVGG is an nn.Sequential subclass assembled from a list of layers with
padding="same" and nn.Flatten; conv_output_size is a callable object; the loader
is made with functools.partial; train_epoch/evaluate share a helper; fit returns
extra keys as well.
"""

import functools

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class _ConvOutputSize:
    def __call__(self, size, kernel_size, stride=1, padding=0, dilation=1):
        return (size - dilation * (kernel_size - 1) - 1 + 2 * padding) // stride + 1


conv_output_size = _ConvOutputSize()


def _block(cin, cout):
    return [nn.Conv2d(cin, cout, 3, padding="same"), nn.ReLU(),
            nn.Conv2d(cout, cout, 3, padding="same"), nn.ReLU(), nn.MaxPool2d(2)]


class TinyVGG(nn.Sequential):
    def __init__(self, in_channels, hidden_units, num_classes, image_size):
        layers = _block(in_channels, hidden_units) + _block(hidden_units, hidden_units)
        layers += [nn.Flatten(), nn.Linear(hidden_units * (image_size // 4) * (image_size // 4), num_classes)]
        super().__init__(*layers)


_loader = functools.partial(DataLoader, drop_last=False)


def make_loader(X, y, batch_size, *, shuffle=False, seed=0):
    g = torch.Generator()
    g.manual_seed(int(seed))
    return _loader(TensorDataset(X, y), batch_size=batch_size, shuffle=bool(shuffle), generator=g)


def _run(model, loader, loss_fn, device, optimizer=None):
    total = torch.zeros(())
    correct = 0
    n = 0
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        if optimizer is not None:
            optimizer.zero_grad()
        out = model(X)
        loss = loss_fn(out, y)
        if optimizer is not None:
            loss.backward()
            optimizer.step()
        total += loss.detach().cpu() * len(y)
        correct += int((out.argmax(dim=1) == y).sum())
        n += len(y)
    return total.item() / n, correct / n


def train_epoch(model, loader, loss_fn, optimizer, device):
    model.train()
    return _run(model, loader, loss_fn, device, optimizer)


def evaluate(model, loader, loss_fn, device):
    model.eval()
    with torch.no_grad():
        return _run(model, loader, loss_fn, device)


def fit(model, train_loader, test_loader, *, epochs, lr, device):
    model.to(torch.device(device))
    optimizer = torch.optim.Adam(model.parameters(), lr)
    loss_fn = nn.CrossEntropyLoss()
    history = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": [], "epoch": []}
    for epoch in range(1, epochs + 1):
        tl, ta = train_epoch(model, train_loader, loss_fn, optimizer, device)
        vl, va = evaluate(model, test_loader, loss_fn, device)
        for key, value in zip(("train_loss", "train_acc", "test_loss", "test_acc", "epoch"), (tl, ta, vl, va, epoch)):
            history[key].append(value)
    return history
