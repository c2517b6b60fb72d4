"""Realistic mistakes in ``cnns``: the reference solution with ONE change each.

Each entry names a variant (kept as the file name a student would hand in), says
what the mistake is, and gives the top-level functions or classes that replace
the reference's (``replace``) and any module-level lines added (``extra``).
``tests/variant_suite.py`` builds the module with :func:`variant_suite.build_mistake`.
"""

MISTAKES = {
    'mistake_conv_no_dilation.py': {
        "exercise": 'conv_output_size',
        "words": ['forgot the dilation'],
        "gpu_only": False,
        "what": 'conv_output_size ignores the dilation (the filter is taken to span kernel_size pixels).',
        "replace": {
            'conv_output_size': r'''def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    span = kernel_size  # MISTAKE: dilation forgotten
    return (size + 2 * padding - span) // stride + 1
''',
        },
    },
    'mistake_conv_padding_once.py': {
        "exercise": 'conv_output_size',
        "words": ['padding once'],
        "gpu_only": False,
        "what": 'conv_output_size adds the padding once instead of on both sides.',
        "replace": {
            'conv_output_size': r'''def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    span = dilation * (kernel_size - 1) + 1
    return (size + padding - span) // stride + 1  # MISTAKE: padding on one side only
''',
        },
    },
    'mistake_evaluate_no_eval_mode.py': {
        "exercise": 'evaluate',
        "words": ['train mode', 'model.eval()'],
        "gpu_only": False,
        "what": 'evaluate never puts the model in eval mode (BatchNorm uses batch statistics and updates its running ones).',
        "replace": {
            'evaluate': r'''def evaluate(model, loader, loss_fn, device):
    # MISTAKE: no model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    with torch.no_grad():
        for X, y in loader:
            X, y = X.to(device), y.to(device)
            logits = model(X)
            total_loss += loss_fn(logits, y).item() * len(y)
            correct += (logits.argmax(dim=1) == y).sum().item()
            seen += len(y)
    return total_loss / seen, correct / seen
''',
        },
    },
    'mistake_evaluate_tracks_gradients.py': {
        "exercise": 'evaluate',
        "words": ['tracked gradients', 'no_grad'],
        "gpu_only": False,
        "what": 'evaluate runs without torch.no_grad(), so it tracks gradients.',
        "replace": {
            'evaluate': r'''def evaluate(model, loader, loss_fn, device):
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    if True:  # MISTAKE: no torch.no_grad()
        for X, y in loader:
            X, y = X.to(device), y.to(device)
            logits = model(X)
            total_loss += loss_fn(logits, y).item() * len(y)
            correct += (logits.argmax(dim=1) == y).sum().item()
            seen += len(y)
    return total_loss / seen, correct / seen
''',
        },
    },
    'mistake_fit_model_not_moved.py': {
        "exercise": 'fit',
        "words": ['device'],
        "gpu_only": True,
        "what": 'fit does not move the model to the device (only visible when grading on a GPU).',
        "replace": {
            'fit': r'''def fit(model, train_loader, test_loader, *, epochs, lr, device):
    # MISTAKE: no model.to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    for _ in range(epochs):
        train_loss, train_acc = train_epoch(model, train_loader, loss_fn, optimizer, device)
        test_loss, test_acc = evaluate(model, test_loader, loss_fn, device)
        history["train_loss"].append(train_loss)
        history["train_acc"].append(train_acc)
        history["test_loss"].append(test_loss)
        history["test_acc"].append(test_acc)
    return history
''',
        },
    },
    'mistake_fit_new_optimizer_each_epoch.py': {
        "exercise": 'fit',
        "words": ['no new one per epoch'],
        "gpu_only": False,
        "what": 'fit creates a new Adam every epoch (its moment estimates restart each time).',
        "replace": {
            'fit': r'''def fit(model, train_loader, test_loader, *, epochs, lr, device):
    model.to(device)
    loss_fn = nn.CrossEntropyLoss()
    history = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    for _ in range(epochs):
        optimizer = torch.optim.Adam(model.parameters(), lr=lr)  # MISTAKE: a new optimiser each epoch
        train_loss, train_acc = train_epoch(model, train_loader, loss_fn, optimizer, device)
        test_loss, test_acc = evaluate(model, test_loader, loss_fn, device)
        history["train_loss"].append(train_loss)
        history["train_acc"].append(train_acc)
        history["test_loss"].append(test_loss)
        history["test_acc"].append(test_acc)
    return history
''',
        },
    },
    'mistake_fit_sgd.py': {
        "exercise": 'fit',
        "words": ['Adam(model.parameters(), lr=lr)'],
        "gpu_only": False,
        "what": 'fit uses SGD instead of Adam.',
        "replace": {
            'fit': r'''def fit(model, train_loader, test_loader, *, epochs, lr, device):
    model.to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)  # MISTAKE: not Adam
    history = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    for _ in range(epochs):
        train_loss, train_acc = train_epoch(model, train_loader, loss_fn, optimizer, device)
        test_loss, test_acc = evaluate(model, test_loader, loss_fn, device)
        history["train_loss"].append(train_loss)
        history["train_acc"].append(train_acc)
        history["test_loss"].append(test_loss)
        history["test_acc"].append(test_acc)
    return history
''',
        },
    },
    'mistake_loader_always_shuffles.py': {
        "exercise": 'make_loader',
        "words": ['shuffle=False', 'order'],
        "gpu_only": False,
        "what": 'make_loader shuffles even when shuffle=False.',
        "replace": {
            'make_loader': r'''def make_loader(X, y, batch_size, *, shuffle=False, seed=0):
    generator = torch.Generator()
    generator.manual_seed(seed)
    return DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True, generator=generator)  # MISTAKE: ignores shuffle
''',
        },
    },
    'mistake_loader_drop_last.py': {
        "exercise": 'make_loader',
        "words": ['last batch', 'drop_last=False'],
        "gpu_only": False,
        "what": 'make_loader drops the last, shorter batch.',
        "replace": {
            'make_loader': r'''def make_loader(X, y, batch_size, *, shuffle=False, seed=0):
    generator = torch.Generator()
    generator.manual_seed(seed)
    return DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=shuffle, generator=generator, drop_last=True)  # MISTAKE
''',
        },
    },
    'mistake_loader_global_seed.py': {
        "exercise": 'make_loader',
        "words": ['same seed', 'torch.Generator'],
        "gpu_only": False,
        "what": 'make_loader seeds the global RNG instead of giving the DataLoader a generator of its own.',
        "replace": {
            'make_loader': r'''def make_loader(X, y, batch_size, *, shuffle=False, seed=0):
    torch.manual_seed(seed)  # MISTAKE: the global RNG, which anything else may move on
    return DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=shuffle)
''',
        },
    },
    'mistake_tinyvgg_hardcoded_flatten.py': {
        "exercise": 'TinyVGG',
        "words": ['image_size', 'hidden_units * (image_size // 4)**2'],
        "gpu_only": False,
        "what": 'TinyVGG sizes its Linear for 16x16 images only (hidden_units * 4 * 4), whatever image_size is.',
        "replace": {
            'TinyVGG': r'''class TinyVGG(nn.Module):

    def __init__(self, in_channels, hidden_units, num_classes, image_size):
        super().__init__()
        self.block1 = nn.Sequential(
            nn.Conv2d(in_channels, hidden_units, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(hidden_units, hidden_units, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.block2 = nn.Sequential(
            nn.Conv2d(hidden_units, hidden_units, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(hidden_units, hidden_units, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        side = 4  # MISTAKE: right for image_size=16 only
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(hidden_units * side * side, num_classes),
        )

    def forward(self, x):
        return self.classifier(self.block2(self.block1(x)))
''',
        },
    },
    'mistake_tinyvgg_missing_relu.py': {
        "exercise": 'TinyVGG',
        "words": ['output differs', 'ReLU'],
        "gpu_only": False,
        "what": "TinyVGG's second block has no ReLU between its two convolutions.",
        "replace": {
            'TinyVGG': r'''class TinyVGG(nn.Module):

    def __init__(self, in_channels, hidden_units, num_classes, image_size):
        super().__init__()
        self.block1 = nn.Sequential(
            nn.Conv2d(in_channels, hidden_units, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(hidden_units, hidden_units, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.block2 = nn.Sequential(
            nn.Conv2d(hidden_units, hidden_units, kernel_size=3, padding=1),
            # MISTAKE: the ReLU between the two convolutions of block 2 is missing
            nn.Conv2d(hidden_units, hidden_units, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        side = image_size // 4
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(hidden_units * side * side, num_classes),
        )

    def forward(self, x):
        return self.classifier(self.block2(self.block1(x)))
''',
        },
    },
    'mistake_tinyvgg_softmax.py': {
        "exercise": 'TinyVGG',
        "words": ['softmax', 'return logits'],
        "gpu_only": False,
        "what": 'TinyVGG ends with a softmax: it returns probabilities, not logits.',
        "replace": {
            'TinyVGG': r'''class TinyVGG(nn.Module):

    def __init__(self, in_channels, hidden_units, num_classes, image_size):
        super().__init__()
        self.block1 = nn.Sequential(
            nn.Conv2d(in_channels, hidden_units, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(hidden_units, hidden_units, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.block2 = nn.Sequential(
            nn.Conv2d(hidden_units, hidden_units, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(hidden_units, hidden_units, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        side = image_size // 4
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(hidden_units * side * side, num_classes),
        )

    def forward(self, x):
        return torch.softmax(self.classifier(self.block2(self.block1(x))), dim=1)  # MISTAKE: softmax
''',
        },
    },
    'mistake_train_batches_not_moved.py': {
        "exercise": 'train_epoch',
        "words": ['device'],
        "gpu_only": True,
        "what": 'train_epoch does not move the batches to the device (only visible when grading on a GPU).',
        "replace": {
            'train_epoch': r'''def train_epoch(model, loader, loss_fn, optimizer, device):
    model.train()
    total_loss, correct, seen = 0.0, 0, 0
    for X, y in loader:
        # MISTAKE: the batches stay where the loader made them
        logits = model(X)
        loss = loss_fn(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(y)
        correct += (logits.argmax(dim=1) == y).sum().item()
        seen += len(y)
    return total_loss / seen, correct / seen
''',
        },
    },
    'mistake_train_no_train_mode.py': {
        "exercise": 'train_epoch',
        "words": ['eval mode', 'model.train()'],
        "gpu_only": False,
        "what": 'train_epoch never puts the model in train mode (it trains in whatever mode the model arrives).',
        "replace": {
            'train_epoch': r'''def train_epoch(model, loader, loss_fn, optimizer, device):
    # MISTAKE: no model.train()
    total_loss, correct, seen = 0.0, 0, 0
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        logits = model(X)
        loss = loss_fn(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(y)
        correct += (logits.argmax(dim=1) == y).sum().item()
        seen += len(y)
    return total_loss / seen, correct / seen
''',
        },
    },
    'mistake_train_no_zero_grad.py': {
        "exercise": 'train_epoch',
        "words": ['gradients pile up', 'zero_grad'],
        "gpu_only": False,
        "follows": 'fit',
        "what": 'train_epoch never clears the gradients, so they pile up batch after batch.',
        "replace": {
            'train_epoch': r'''def train_epoch(model, loader, loss_fn, optimizer, device):
    model.train()
    total_loss, correct, seen = 0.0, 0, 0
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        logits = model(X)
        loss = loss_fn(logits, y)
        # MISTAKE: no optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(y)
        correct += (logits.argmax(dim=1) == y).sum().item()
        seen += len(y)
    return total_loss / seen, correct / seen
''',
        },
    },
    'mistake_train_percentage.py': {
        "exercise": 'train_epoch',
        "words": ['percentage'],
        "gpu_only": False,
        "what": 'train_epoch returns the accuracy as a percentage.',
        "replace": {
            'train_epoch': r'''def train_epoch(model, loader, loss_fn, optimizer, device):
    model.train()
    total_loss, correct, seen = 0.0, 0, 0
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        logits = model(X)
        loss = loss_fn(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(y)
        correct += (logits.argmax(dim=1) == y).sum().item()
        seen += len(y)
    return total_loss / seen, 100 * correct / seen  # MISTAKE: a percentage
''',
        },
    },
    'mistake_tinyvgg_dropout.py': {
        "exercise": 'TinyVGG',
        "words": ['train mode', 'Dropout'],
        "gpu_only": False,
        "what": 'TinyVGG adds a Dropout before the Linear (it only shows in train mode: eval-mode outputs match).',
        "replace": {
            'TinyVGG': r'''class TinyVGG(nn.Module):

    def __init__(self, in_channels, hidden_units, num_classes, image_size):
        super().__init__()
        self.block1 = nn.Sequential(
            nn.Conv2d(in_channels, hidden_units, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(hidden_units, hidden_units, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.block2 = nn.Sequential(
            nn.Conv2d(hidden_units, hidden_units, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(hidden_units, hidden_units, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        side = image_size // 4
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Dropout(0.5),  # MISTAKE: not in the architecture
            nn.Linear(hidden_units * side * side, num_classes),
        )

    def forward(self, x):
        return self.classifier(self.block2(self.block1(x)))
''',
        },
    },
    'mistake_tinyvgg_squeeze.py': {
        "exercise": 'TinyVGG',
        "words": ['with input (1, 1, 16, 16)', 'expected shape (1, 4)'],
        "gpu_only": False,
        "what": 'TinyVGG squeezes its output, so a batch of one image gives (num_classes,) instead of (1, num_classes).',
        "replace": {
            'TinyVGG': r'''class TinyVGG(nn.Module):

    def __init__(self, in_channels, hidden_units, num_classes, image_size):
        super().__init__()
        self.block1 = nn.Sequential(
            nn.Conv2d(in_channels, hidden_units, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(hidden_units, hidden_units, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.block2 = nn.Sequential(
            nn.Conv2d(hidden_units, hidden_units, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(hidden_units, hidden_units, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        side = image_size // 4
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(hidden_units * side * side, num_classes),
        )

    def forward(self, x):
        return self.classifier(self.block2(self.block1(x))).squeeze()  # MISTAKE: drops a batch dimension of 1
''',
        },
    },
    'mistake_loader_shuffles_once.py': {
        "exercise": 'make_loader',
        "words": ['same order', 'each epoch'],
        "gpu_only": False,
        "what": 'make_loader shuffles the data once, when it is built, so every epoch comes in the same order.',
        "replace": {
            'make_loader': r'''def make_loader(X, y, batch_size, *, shuffle=False, seed=0):
    if shuffle:
        generator = torch.Generator()
        generator.manual_seed(seed)
        order = torch.randperm(len(X), generator=generator)
        X, y = X[order], y[order]  # MISTAKE: one order for every epoch
    return DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=False)
''',
        },
    },
    'mistake_train_ignores_loss_fn.py': {
        "exercise": 'train_epoch',
        "words": ['plain cross-entropy', 'loss_fn(output, y)'],
        "gpu_only": False,
        "what": 'train_epoch computes plain cross-entropy instead of calling the loss_fn it is given.',
        "replace": {
            'train_epoch': r'''def train_epoch(model, loader, loss_fn, optimizer, device):
    model.train()
    total_loss, correct, seen = 0.0, 0, 0
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        logits = model(X)
        loss = nn.functional.cross_entropy(logits, y)  # MISTAKE: not loss_fn
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(y)
        correct += (logits.argmax(dim=1) == y).sum().item()
        seen += len(y)
    return total_loss / seen, correct / seen
''',
        },
    },
    'mistake_evaluate_ignores_loss_fn.py': {
        "exercise": 'evaluate',
        "words": ['plain cross-entropy', 'loss_fn(output, y)'],
        "gpu_only": False,
        "what": 'evaluate computes plain cross-entropy instead of calling the loss_fn it is given.',
        "replace": {
            'evaluate': r'''def evaluate(model, loader, loss_fn, device):
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    with torch.no_grad():
        for X, y in loader:
            X, y = X.to(device), y.to(device)
            logits = model(X)
            total_loss += nn.CrossEntropyLoss()(logits, y).item() * len(y)  # MISTAKE: not loss_fn
            correct += (logits.argmax(dim=1) == y).sum().item()
            seen += len(y)
    return total_loss / seen, correct / seen
''',
        },
    },
    'mistake_evaluate_leaves_grad_off.py': {
        "exercise": 'evaluate',
        "words": ['gradient tracking switched off', 'torch.no_grad()'],
        "gpu_only": False,
        "follows": 'fit',
        "what": 'evaluate switches gradient tracking off for the whole process and never back on (a later fit would fail).',
        "replace": {
            'evaluate': r'''def evaluate(model, loader, loss_fn, device):
    model.eval()
    torch.set_grad_enabled(False)  # MISTAKE: never switched back on
    total_loss, correct, seen = 0.0, 0, 0
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        logits = model(X)
        total_loss += loss_fn(logits, y).item() * len(y)
        correct += (logits.argmax(dim=1) == y).sum().item()
        seen += len(y)
    return total_loss / seen, correct / seen
''',
        },
    },
}
