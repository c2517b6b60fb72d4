# -*- coding: utf-8 -*-
"""Un módulo transfer_learning correcto con nombres en español.

freeze usa model.requires_grad_(False); replace_head asigna con índices
(model.classifier[-1] = ...) y mueve la capa nueva con .to(); fine_tune entrena con
minilotes barajados por el generador global.
"""

import torch
import torch.nn.functional as F
from torch import nn


def freeze(modelo):
    modelo.requires_grad_(False)
    return modelo


def replace_head(modelo, num_clases):
    if hasattr(modelo, "fc"):
        vieja = modelo.fc
        modelo.fc = nn.Linear(vieja.in_features, num_clases).to(vieja.weight)
    elif isinstance(modelo.classifier, nn.Sequential):
        vieja = modelo.classifier[-1]
        modelo.classifier[-1] = nn.Linear(vieja.in_features, num_clases).to(vieja.weight)
    else:
        vieja = modelo.classifier
        modelo.classifier = nn.Linear(vieja.in_features, num_clases).to(vieja.weight)
    return modelo


def build_transfer_model(red_base, num_clases):
    congelada = freeze(red_base)
    return replace_head(congelada, num_clases)


def trainable_parameters(modelo):
    return [parámetro for parámetro in modelo.parameters() if parámetro.requires_grad]


def fine_tune(modelo, X, y, *, epochs, lr, device):
    modelo = modelo.to(device)
    X, y = X.to(device), y.to(device)
    optimizador = torch.optim.Adam(trainable_parameters(modelo), lr=lr)
    pérdidas = []
    for _ in range(epochs):
        modelo.eval()
        orden = torch.randperm(len(X)).to(device)
        suma = 0.0
        for inicio in range(0, len(X), 8):
            índices = orden[inicio:inicio + 8]
            pérdida = F.cross_entropy(modelo(X[índices]), y[índices])
            optimizador.zero_grad()
            pérdida.backward()
            optimizador.step()
            suma += pérdida.item() * len(índices)
        pérdidas.append(suma / len(X))
    return pérdidas
