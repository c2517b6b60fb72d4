"""An honest canonical cnns solution, written from the docstrings and the lesson, without the reference."""

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1


class TinyVGG(nn.Module):
    def __init__(self, in_channels, hidden_units, num_classes, image_size):
        super().__init__()
        self.block_1 = nn.Sequential(
            nn.Conv2d(in_channels, hidden_units, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(hidden_units, hidden_units, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2),
        )
        self.block_2 = nn.Sequential(
            nn.Conv2d(hidden_units, hidden_units, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(hidden_units, hidden_units, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2),
        )
        out = image_size // 4
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(hidden_units * out * out, num_classes))

    def forward(self, x):
        return self.head(self.block_2(self.block_1(x)))


def make_loader(X, y, batch_size, *, shuffle=False, seed=0):
    gen = torch.Generator()
    gen.manual_seed(seed)
    return DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=shuffle, generator=gen)


def train_epoch(model, loader, loss_fn, optimizer, device):
    model.train()
    loss_sum, hits, count = 0.0, 0, 0
    for xb, yb in loader:
        xb, yb = xb.to(device), yb.to(device)
        optimizer.zero_grad()
        logits = model(xb)
        loss = loss_fn(logits, yb)
        loss.backward()
        optimizer.step()
        loss_sum += loss.item() * yb.size(0)
        hits += (logits.argmax(1) == yb).sum().item()
        count += yb.size(0)
    return loss_sum / count, hits / count


def evaluate(model, loader, loss_fn, device):
    model.eval()
    loss_sum, hits, count = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            logits = model(xb)
            loss_sum += loss_fn(logits, yb).item() * yb.size(0)
            hits += (logits.argmax(1) == yb).sum().item()
            count += yb.size(0)
    return loss_sum / count, hits / count


def fit(model, train_loader, test_loader, *, epochs, lr, device):
    model.to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    for _ in range(epochs):
        train_loss, train_acc = train_epoch(model, train_loader, loss_fn, optimizer, device)
        test_loss, test_acc = evaluate(model, test_loader, loss_fn, device)
        for key, value in zip(history, (train_loss, train_acc, test_loss, test_acc)):
            history[key].append(value)
    return history
