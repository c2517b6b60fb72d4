"""A correct fc_nets with an nn.ModuleList of nn.Linear and torch.relu in a loop,
nn.Softmax as a module, numpy numbers, fit_line with Adam, a file handle for
save/load."""

import numpy as np
import torch
from torch import nn


class FCNet(nn.Module):
    def __init__(self, in_features, hidden_units, out_features):
        super().__init__()
        sizes = [in_features] + list(hidden_units) + [out_features]
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))

    def forward(self, x):
        for layer in self.linears[:-1]:
            x = torch.relu(layer(x))
        return self.linears[-1](x)


def count_parameters(model, trainable_only=True):
    params = [p for p in model.parameters() if p.requires_grad] if trainable_only else list(model.parameters())
    return int(np.sum([p.numel() for p in params], dtype=np.int64)) if params else 0


def train_step(model, X, y, loss_fn, optimizer):
    model.train()
    optimizer.zero_grad(set_to_none=True)
    predictions = model(X)
    loss = loss_fn(predictions, y)
    loss.backward()
    optimizer.step()
    return loss.detach().cpu().item()


def accuracy(logits, targets):
    predicted = logits.detach().cpu().numpy().argmax(axis=1)
    return np.mean(predicted == targets.cpu().numpy())  # a numpy.float64


_softmax = nn.Softmax(dim=-1)


def predict_proba(model, X):
    model.eval()
    with torch.no_grad():
        logits = model(X)
    return _softmax(logits)


def fit_line(x, y, *, epochs=1500, lr=0.05, seed=0):
    torch.manual_seed(seed)
    line = nn.Linear(1, 1)
    optimizer = torch.optim.Adam(line.parameters(), lr=lr)
    criterion = nn.MSELoss()
    for _ in range(epochs):
        optimizer.zero_grad()
        criterion(line(x), y).backward()
        optimizer.step()
    return line.weight.item(), line.bias.item()


def train_classifier(model, X, y, *, epochs, lr):
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        model.train()
        optimizer.zero_grad()
        loss = criterion(model(X), y)
        losses.append(loss.item())
        loss.backward()
        optimizer.step()
    return losses


def save_weights(model, path):
    with open(path, "wb") as f:
        torch.save(model.state_dict(), f)


def load_weights(model, path):
    with open(path, "rb") as f:
        state = torch.load(f, weights_only=True)
    model.load_state_dict(state)
    return model
