"""Una solución correcta con identificadores en español: pesos como matrices
(entrada, salida) con ``x @ peso + sesgo`` y sesgos de forma (1, salida),
clamp en lugar de ReLU, fit_line con Adam y semilla global."""

import torch
from torch import nn


class FCNet(nn.Module):
    def __init__(self, in_features, hidden_units, out_features):
        super().__init__()
        tamaños = [in_features, *hidden_units, out_features]
        self.num_capas = len(tamaños) - 1
        for i, (entrada, salida) in enumerate(zip(tamaños, tamaños[1:])):
            escala = entrada ** -0.5
            setattr(self, f"peso_{i}", nn.Parameter(torch.randn(entrada, salida) * escala))
            setattr(self, f"sesgo_{i}", nn.Parameter(torch.zeros(1, salida)))

    def forward(self, entrada):
        oculta = entrada
        for i in range(self.num_capas):
            oculta = oculta @ getattr(self, f"peso_{i}") + getattr(self, f"sesgo_{i}")
            if i < self.num_capas - 1:
                oculta = oculta.clamp(min=0)
        return oculta


def count_parameters(model, trainable_only=True):
    cuenta = 0
    for nombre, parametro in model.named_parameters():
        if parametro.requires_grad or not trainable_only:
            cuenta += parametro.numel()
    return cuenta


def train_step(model, X, y, loss_fn, optimizer):
    model.train()
    optimizer.zero_grad()
    salida = model(X)
    perdida = loss_fn(salida, y)
    perdida.backward()
    optimizer.step()
    return perdida.item()


def accuracy(logits, targets):
    aciertos = logits.argmax(-1).eq(targets)
    return float(aciertos.float().mean())


def predict_proba(model, X):
    model.eval()
    with torch.no_grad():
        return torch.nn.functional.softmax(model(X), dim=-1)


def fit_line(x, y, *, epochs=800, lr=0.1, seed=0):
    torch.manual_seed(seed)
    recta = nn.Linear(1, 1)
    optimizador = torch.optim.Adam(recta.parameters(), lr=lr)
    perdida_fn = nn.MSELoss()
    for _ in range(epochs):
        optimizador.zero_grad()
        perdida = perdida_fn(recta(x), y)
        perdida.backward()
        optimizador.step()
    return recta.weight.item(), recta.bias.item()


def train_classifier(model, X, y, *, epochs, lr):
    perdida_fn = nn.CrossEntropyLoss()
    optimizador = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    perdidas = []
    for _ in range(epochs):
        optimizador.zero_grad()
        perdida = perdida_fn(model(X), y)
        perdida.backward()
        optimizador.step()
        perdidas.append(perdida.item())
    return perdidas


def save_weights(model, path):
    torch.save(model.state_dict(), path)


def load_weights(model, path):
    estado = torch.load(path, map_location="cpu", weights_only=True)
    model.load_state_dict(estado)
    return model
