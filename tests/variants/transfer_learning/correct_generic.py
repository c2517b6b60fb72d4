"""A correct transfer_learning module that finds the head generically.

replace_head looks for the last nn.Linear among the named modules and replaces it
in its parent with setattr; freeze goes through the modules; trainable_parameters
uses a set of ids; fine_tune uses a DataLoader of mini-batches of 4 and torch.optim
imported under another name.
"""

import torch.optim as optim
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def freeze(model):
    for module in model.modules():
        for parameter in module.parameters(recurse=False):
            parameter.requires_grad_(False)
    model.eval()
    return model


def replace_head(model, num_classes):
    name, old = [(n, m) for n, m in model.named_modules() if isinstance(m, nn.Linear)][-1]
    parent_name, _, attr = name.rpartition(".")
    parent = model.get_submodule(parent_name) if parent_name else model
    new = nn.Linear(old.in_features, num_classes)
    setattr(parent, attr, new.to(device=old.weight.device, dtype=old.weight.dtype))
    return model


def build_transfer_model(backbone, num_classes):
    freeze(backbone)
    replace_head(backbone, num_classes)
    return backbone


def trainable_parameters(model):
    seen = set()
    out = []
    for p in model.parameters():
        if p.requires_grad and id(p) not in seen:
            seen.add(id(p))
            out.append(p)
    return out


def fine_tune(model, X, y, *, epochs, lr, device):
    model.to(device)
    loader = DataLoader(TensorDataset(X.to(device), y.to(device)), batch_size=4, shuffle=True)
    optimizer = optim.Adam(trainable_parameters(model), lr)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    model.eval()
    for _ in range(epochs):
        batch_losses = []
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            batch_losses.append(loss.item())
        losses.append(sum(batch_losses) / len(batch_losses))
    return losses
