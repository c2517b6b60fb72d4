"""A correct cnns module with nn.ModuleList, LazyLinear and zero_grad after the step.

TinyVGG keeps its convolutions in an nn.ModuleList and sizes its Linear lazily
(nn.LazyLinear); train_epoch clears gradients after each step (set_to_none=False);
make_loader seeds its generator in one expression; fit calls train_epoch and
evaluate through a table of steps.
"""

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    effective = 1 + dilation * (kernel_size - 1)
    out = size + 2 * padding - effective
    return int(out // stride + 1)


class TinyVGG(nn.Module):
    def __init__(self, in_channels, hidden_units, num_classes, image_size):
        super().__init__()
        channels = [in_channels] + [hidden_units] * 4
        self.convs = nn.ModuleList(
            nn.Conv2d(a, b, kernel_size=(3, 3), padding=(1, 1)) for a, b in zip(channels, channels[1:])
        )
        self.pool = nn.MaxPool2d(kernel_size=2, stride=2)
        self.act = nn.ReLU(inplace=True)
        self.out = nn.LazyLinear(num_classes)

    def forward(self, x):
        for i, conv in enumerate(self.convs):
            x = self.act(conv(x))
            if i % 2 == 1:
                x = self.pool(x)
        return self.out(x.reshape(x.size(0), -1))


def make_loader(X, y, batch_size, *, shuffle=False, seed=0):
    return DataLoader(TensorDataset(X, y), batch_size, shuffle=shuffle,
                      generator=torch.Generator().manual_seed(seed), drop_last=False)


def train_epoch(model, loader, loss_fn, optimizer, device):
    model.train(True)
    loss_sum = correct = total = 0
    for batch in loader:
        X, y = (t.to(device) for t in batch)
        logits = model(X)
        loss = loss_fn(logits, y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=False)
        loss_sum += loss.item() * y.shape[0]
        correct += (logits.argmax(1) == y).sum().item()
        total += y.shape[0]
    return float(loss_sum / total), float(correct / total)


def evaluate(model, loader, loss_fn, device):
    model.train(False)
    loss_sum = correct = total = 0
    with torch.no_grad():
        for batch in loader:
            X, y = (t.to(device) for t in batch)
            logits = model(X)
            loss_sum += loss_fn(logits, y).item() * y.shape[0]
            correct += (logits.argmax(1) == y).sum().item()
            total += y.shape[0]
    return float(loss_sum / total), float(correct / total)


def fit(model, train_loader, test_loader, *, epochs, lr, device):
    model.to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(params=model.parameters(), lr=lr)
    steps = {"train": lambda: train_epoch(model, train_loader, loss_fn, optimizer, device),
             "test": lambda: evaluate(model, test_loader, loss_fn, device)}
    history = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    for _ in range(epochs):
        for name, step in steps.items():
            loss, acc = step()
            history[f"{name}_loss"].append(loss)
            history[f"{name}_acc"].append(acc)
    return history
