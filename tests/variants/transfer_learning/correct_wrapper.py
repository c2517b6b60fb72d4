"""A correct transfer_learning module whose build_transfer_model returns a wrapper.

freeze walks named_parameters; replace_head passes device and dtype to nn.Linear;
build_transfer_model wraps the backbone in a module of its own; fine_tune trains
the whole model in train mode but puts every BatchNorm back in eval mode, and
hands Adam a filter over the parameters.
"""

import torch
from torch import nn


def freeze(model):
    for _, parameter in model.named_parameters():
        parameter.requires_grad = False
    return model


def _new_linear(old, num_classes):
    return nn.Linear(old.in_features, num_classes, bias=True, device=old.weight.device, dtype=old.weight.dtype)


def replace_head(model, num_classes):
    layer = getattr(model, "fc", None)
    if isinstance(layer, nn.Linear):
        model.fc = _new_linear(layer, num_classes)
        return model
    head = model.classifier
    if isinstance(head, nn.Sequential):
        head[len(head) - 1] = _new_linear(head[len(head) - 1], num_classes)
    else:
        model.classifier = _new_linear(head, num_classes)
    return model


class TransferModel(nn.Module):
    def __init__(self, backbone, num_classes):
        super().__init__()
        self.net = replace_head(freeze(backbone), num_classes)

    def forward(self, x):
        return self.net(x)


def build_transfer_model(backbone, num_classes):
    return TransferModel(backbone, num_classes)


def trainable_parameters(model):
    return list(filter(lambda p: p.requires_grad, model.parameters()))


def fine_tune(model, X, y, *, epochs, lr, device):
    model.to(device)
    X = X.to(device)
    y = y.to(device)
    optimizer = torch.optim.Adam(filter(lambda p: p.requires_grad, model.parameters()), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    history = []
    for epoch in range(epochs):
        model.train()
        for module in model.modules():
            if isinstance(module, nn.modules.batchnorm._BatchNorm):
                module.eval()
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        history.append(float(loss))
    return history
