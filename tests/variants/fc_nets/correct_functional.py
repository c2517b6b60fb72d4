"""A correct fc_nets in functional style: ParameterLists (all weights, then all
biases), F.linear/F.relu, model.zero_grad(set_to_none=False), inference_mode,
log_softmax + nll_loss, fit_line with SGD + momentum and a private generator."""

import math

import torch
import torch.nn.functional as F
from torch import nn


class FCNet(nn.Module):
    def __init__(self, in_features, hidden_units, out_features):
        super().__init__()
        sizes = [in_features, *hidden_units, out_features]
        self.weights = nn.ParameterList()
        self.biases = nn.ParameterList()
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            bound = 1 / math.sqrt(fan_in)
            self.weights.append(nn.Parameter(torch.empty(fan_out, fan_in).uniform_(-bound, bound)))
            self.biases.append(nn.Parameter(torch.empty(fan_out).uniform_(-bound, bound)))

    def forward(self, x):
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            x = F.linear(x, w, b)
            if i < last:
                x = F.relu(x)
        return x


def count_parameters(model, trainable_only=True):
    total = 0
    for p in model.parameters():
        if trainable_only and not p.requires_grad:
            continue
        total += p.numel()
    return total


def train_step(model, X, y, loss_fn, optimizer):
    model.train(True)
    model.zero_grad(set_to_none=False)
    out = model(X)
    loss = loss_fn(out, y)
    loss.backward()
    optimizer.step()
    return float(loss)


def accuracy(logits, targets):
    hits = (logits.max(dim=1).indices == targets).sum().item()
    return hits / targets.numel()


def predict_proba(model, X):
    model.train(False)
    with torch.inference_mode():
        return F.softmax(model(X), dim=1)


def fit_line(x, y, *, epochs=400, lr=0.3, seed=0):
    g = torch.Generator().manual_seed(seed)
    model = nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.uniform_(-1.0, 1.0, generator=g)
        model.bias.uniform_(-1.0, 1.0, generator=g)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.5)
    for _ in range(epochs):
        opt.zero_grad()
        F.mse_loss(model(x), y).backward()
        opt.step()
    return float(model.weight), float(model.bias)


def train_classifier(model, X, y, *, epochs, lr):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    history = []
    for _epoch in range(epochs):
        logits = model(X)
        loss = F.nll_loss(F.log_softmax(logits, dim=1), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        history.append(loss.item())
    return history


def save_weights(model, path):
    torch.save(model.state_dict(), str(path))


def load_weights(model, path):
    device = next(model.parameters()).device
    model.load_state_dict(torch.load(path, map_location=device, weights_only=True))
    return model
