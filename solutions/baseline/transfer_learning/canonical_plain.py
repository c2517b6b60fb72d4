"""Baseline corpus: a canonical transfer_learning solution written from the docstrings without the reference."""

import torch
from torch import nn


def freeze(model):
    for param in model.parameters():
        param.requires_grad = False
    return model


def replace_head(model, num_classes):
    if hasattr(model, "fc") and isinstance(model.fc, nn.Linear):
        old = model.fc
        model.fc = nn.Linear(old.in_features, num_classes).to(old.weight.device, old.weight.dtype)
    elif isinstance(model.classifier, nn.Sequential):
        old = model.classifier[-1]
        model.classifier[-1] = nn.Linear(old.in_features, num_classes).to(old.weight.device, old.weight.dtype)
    else:
        old = model.classifier
        model.classifier = nn.Linear(old.in_features, num_classes).to(old.weight.device, old.weight.dtype)
    return model


def build_transfer_model(backbone, num_classes):
    model = freeze(backbone)
    model = replace_head(model, num_classes)
    return model


def trainable_parameters(model):
    return [p for p in model.parameters() if p.requires_grad]


def fine_tune(model, X, y, *, epochs, lr, device):
    model = model.to(device)
    X = X.to(device)
    y = y.to(device)
    optimizer = torch.optim.Adam(trainable_parameters(model), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    model.eval()
    for epoch in range(epochs):
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
