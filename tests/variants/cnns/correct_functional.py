"""A correct cnns module in a functional style: raw parameters and torch.nn.functional.

conv_output_size is a lambda with math.floor; TinyVGG holds nn.Parameter tensors
(weights first, then biases) and calls F.conv2d / F.max_pool2d; the loader uses a
RandomSampler with its own generator; train_epoch clears gradients with
model.zero_grad() and averages batch losses; evaluate uses torch.inference_mode
as a decorator; fit has its own loop.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, RandomSampler, SequentialSampler, TensorDataset

conv_output_size = lambda size, kernel_size, stride=1, padding=0, dilation=1: math.floor(  # noqa: E731
    (size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1


def _conv_weight(cin, cout):
    w = torch.empty(cout, cin, 3, 3)
    nn.init.kaiming_uniform_(w, a=math.sqrt(5))
    return nn.Parameter(w)


class TinyVGG(nn.Module):
    def __init__(self, in_channels, hidden_units, num_classes, image_size):
        super().__init__()
        h = hidden_units
        self.w1 = _conv_weight(in_channels, h)
        self.w2 = _conv_weight(h, h)
        self.w3 = _conv_weight(h, h)
        self.w4 = _conv_weight(h, h)
        self.b1 = nn.Parameter(torch.zeros(h))
        self.b2 = nn.Parameter(torch.zeros(h))
        self.b3 = nn.Parameter(torch.zeros(h))
        self.b4 = nn.Parameter(torch.zeros(h))
        side = image_size // 4
        self.fc_w = nn.Parameter(torch.randn(num_classes, h * side * side) * 0.01)
        self.fc_b = nn.Parameter(torch.zeros(num_classes))

    def forward(self, x):
        x = F.relu(F.conv2d(x, self.w1, self.b1, padding=1))
        x = F.max_pool2d(F.relu(F.conv2d(x, self.w2, self.b2, padding=1)), 2)
        x = F.relu(F.conv2d(x, self.w3, self.b3, padding="same"))
        x = F.max_pool2d(F.relu(F.conv2d(x, self.w4, self.b4, padding="same")), kernel_size=2)
        return F.linear(torch.flatten(x, 1), self.fc_w, self.fc_b)


def make_loader(X, y, batch_size, *, shuffle=False, seed=0):
    dataset = TensorDataset(X, y)
    if shuffle:
        sampler = RandomSampler(dataset, generator=torch.Generator().manual_seed(seed))
    else:
        sampler = SequentialSampler(dataset)
    return DataLoader(dataset, batch_size=batch_size, sampler=sampler)


def train_epoch(model, loader, loss_fn, optimizer, device):
    model.train()
    losses, hits, count = [], 0, 0
    for X, y in loader:
        X = X.to(device, non_blocking=True)
        y = y.to(device=device)
        model.zero_grad()
        out = model(X)
        loss = loss_fn(out, y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        hits += int((out.argmax(-1) == y).sum())
        count += y.numel()
    return sum(losses) / len(losses), hits / count


@torch.inference_mode()
def evaluate(model, loader, loss_fn, device):
    model.eval()
    losses, hits, count = [], 0, 0
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        out = model(X)
        losses.append(float(loss_fn(out, y)))
        hits += int((out.argmax(-1) == y).sum())
        count += len(y)
    return sum(losses) / len(losses), hits / count


def fit(model, train_loader, test_loader, *, epochs, lr, device):
    model = model.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = {key: [] for key in ("train_loss", "train_acc", "test_loss", "test_acc")}
    for _ in range(epochs):
        model.train()
        total, hits, n = 0.0, 0, 0
        for X, y in train_loader:
            X, y = X.to(device), y.to(device)
            optimizer.zero_grad()
            out = model(X)
            loss = F.cross_entropy(out, y)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(y)
            hits += (out.argmax(1) == y).sum().item()
            n += len(y)
        history["train_loss"].append(total / n)
        history["train_acc"].append(hits / n)
        model.eval()
        total, hits, n = 0.0, 0, 0
        with torch.no_grad():
            for X, y in test_loader:
                X, y = X.to(device), y.to(device)
                out = model(X)
                total += F.cross_entropy(out, y, reduction="sum").item()
                hits += (out.argmax(1) == y).sum().item()
                n += len(y)
        history["test_loss"].append(total / n)
        history["test_acc"].append(hits / n)
    return history
