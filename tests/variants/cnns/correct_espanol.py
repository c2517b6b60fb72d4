# -*- coding: utf-8 -*-
"""Un módulo cnns correcto con nombres en español y bloques como submódulos propios.

TinyVGG se arma con una clase Bloque; los parámetros posicionales llevan nombres
en español (los de palabra clave, shuffle/seed/epochs/lr/device, son los del
contrato); train_epoch cuenta aciertos con torch.eq; fit registra su historial
con una clase pequeña.
"""

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def conv_output_size(tamaño, núcleo, paso=1, relleno=0, dilatación=1):
    alcance = dilatación * (núcleo - 1) + 1
    return (tamaño + 2 * relleno - alcance) // paso + 1


class Bloque(nn.Module):
    def __init__(self, entrada, salida):
        super().__init__()
        self.conv_a = nn.Conv2d(entrada, salida, 3, 1, 1)
        self.conv_b = nn.Conv2d(salida, salida, 3, 1, 1)
        self.relu = nn.ReLU()
        self.reducir = nn.MaxPool2d(2)

    def forward(self, x):
        return self.reducir(self.relu(self.conv_b(self.relu(self.conv_a(x)))))


class TinyVGG(nn.Module):
    def __init__(self, canales, ocultas, clases, lado):
        super().__init__()
        self.primero = Bloque(canales, ocultas)
        self.segundo = Bloque(ocultas, ocultas)
        self.aplanar = nn.Flatten()
        self.salida = nn.Linear(ocultas * (lado // 4) ** 2, clases)

    def forward(self, imágenes):
        return self.salida(self.aplanar(self.segundo(self.primero(imágenes))))


def make_loader(X, y, tamaño_lote, *, shuffle=False, seed=0):
    generador = torch.Generator().manual_seed(seed)
    return DataLoader(TensorDataset(X, y), batch_size=tamaño_lote, shuffle=shuffle, generator=generador)


def _pasada(modelo, cargador, pérdida_fn, dispositivo, optimizador=None):
    suma, aciertos, vistos = 0.0, 0, 0
    for entradas, etiquetas in cargador:
        entradas, etiquetas = entradas.to(dispositivo), etiquetas.to(dispositivo)
        salidas = modelo(entradas)
        pérdida = pérdida_fn(salidas, etiquetas)
        if optimizador is not None:
            optimizador.zero_grad()
            pérdida.backward()
            optimizador.step()
        suma += pérdida.item() * etiquetas.size(0)
        aciertos += torch.eq(salidas.argmax(dim=1), etiquetas).sum().item()
        vistos += etiquetas.size(0)
    return suma / vistos, aciertos / vistos


def train_epoch(modelo, cargador, pérdida_fn, optimizador, dispositivo):
    modelo.train()
    return _pasada(modelo, cargador, pérdida_fn, dispositivo, optimizador)


def evaluate(modelo, cargador, pérdida_fn, dispositivo):
    modelo.eval()
    with torch.no_grad():
        return _pasada(modelo, cargador, pérdida_fn, dispositivo)


class Historial(dict):
    def anotar(self, **valores):
        for clave, valor in valores.items():
            self.setdefault(clave, []).append(valor)


def fit(modelo, cargador_entreno, cargador_prueba, *, epochs, lr, device):
    modelo.to(device)
    pérdida_fn = nn.CrossEntropyLoss()
    optimizador = torch.optim.Adam(modelo.parameters(), lr=lr)
    historial = Historial(train_loss=[], train_acc=[], test_loss=[], test_acc=[])
    for _ in range(epochs):
        pe, ae = train_epoch(modelo, cargador_entreno, pérdida_fn, optimizador, device)
        pp, ap = evaluate(modelo, cargador_prueba, pérdida_fn, device)
        historial.anotar(train_loss=pe, train_acc=ae, test_loss=pp, test_acc=ap)
    return historial
