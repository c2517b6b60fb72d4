"""Realistic mistakes in ``fc_nets``: the reference solution with ONE change each.

Each entry names a variant (kept as the file name a student would hand in), says
what the mistake is, and gives the top-level functions or classes that replace
the reference's (``replace``) and any module-level lines added (``extra``); the
changed lines carry a ``# MISTAKE`` comment. ``tests/variant_suite.py`` builds
the module with :func:`variant_suite.build_mistake`; ``tests/test_fc_nets_grader.py``
says which exercise each one costs and what its feedback must say.
"""

MISTAKES = {
    'mistake_softmax_on_logits.py': {
        "exercise": 'FCNet',
        "words": ['softmax', 'raw logits'],
        "gpu_only": False,
        "what": 'FCNet.forward applies softmax to the logits.',
        "replace": {
            'FCNet': r'''class FCNet(nn.Module):
    def __init__(self, in_features, hidden_units, out_features):
        super().__init__()
        layers = []
        size = in_features
        for hidden in hidden_units:
            layers.append(nn.Linear(size, hidden))
            layers.append(nn.ReLU())
            size = hidden
        layers.append(nn.Linear(size, out_features))
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return torch.softmax(self.layers(x), dim=-1)  # MISTAKE
''',
        },
    },
    'mistake_relu_after_last_layer.py': {
        "exercise": 'FCNet',
        "words": ['ReLU after the last layer'],
        "gpu_only": False,
        "what": 'FCNet puts a ReLU after the last Linear too.',
        "replace": {
            'FCNet': r'''class FCNet(nn.Module):
    def __init__(self, in_features, hidden_units, out_features):
        super().__init__()
        layers = []
        size = in_features
        for hidden in hidden_units:
            layers.append(nn.Linear(size, hidden))
            layers.append(nn.ReLU())
            size = hidden
        layers.append(nn.Linear(size, out_features))
        layers.append(nn.ReLU())  # MISTAKE
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return self.layers(x)
''',
        },
    },
    'mistake_no_relu_between_layers.py': {
        "exercise": 'FCNet',
        "words": ['ReLU between layers is missing'],
        "gpu_only": False,
        "what": 'FCNet has no ReLU between its Linear layers.',
        "replace": {
            'FCNet': r'''class FCNet(nn.Module):
    def __init__(self, in_features, hidden_units, out_features):
        super().__init__()
        layers = []
        size = in_features
        for hidden in hidden_units:
            layers.append(nn.Linear(size, hidden))
            # MISTAKE: no `layers.append(nn.ReLU())`
            size = hidden
        layers.append(nn.Linear(size, out_features))
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return self.layers(x)
''',
        },
    },
    'mistake_hidden_layers_without_bias.py': {
        "exercise": 'FCNet',
        "words": ['parameters', 'bias'],
        "gpu_only": False,
        "what": "FCNet's hidden Linear layers have no bias.",
        "replace": {
            'FCNet': r'''class FCNet(nn.Module):
    def __init__(self, in_features, hidden_units, out_features):
        super().__init__()
        layers = []
        size = in_features
        for hidden in hidden_units:
            layers.append(nn.Linear(size, hidden, bias=False))  # MISTAKE
            layers.append(nn.ReLU())
            size = hidden
        layers.append(nn.Linear(size, out_features))
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return self.layers(x)
''',
        },
    },
    'mistake_counts_frozen_parameters.py': {
        "exercise": 'count_parameters',
        "words": ['requires_grad'],
        "gpu_only": False,
        "what": 'count_parameters ignores trainable_only and counts frozen parameters too.',
        "replace": {
            'count_parameters': r'''def count_parameters(model, trainable_only=True):
    return sum(p.numel() for p in model.parameters())  # MISTAKE
''',
        },
    },
    'mistake_counts_tensors_not_values.py': {
        "exercise": 'count_parameters',
        "words": ['numel'],
        "gpu_only": False,
        "what": 'count_parameters counts parameter tensors instead of their values.',
        "replace": {
            'count_parameters': r'''def count_parameters(model, trainable_only=True):
    return len([p for p in model.parameters() if p.requires_grad or not trainable_only])  # MISTAKE
''',
        },
    },
    'mistake_step_without_zero_grad.py': {
        "exercise": 'train_step',
        "words": ['zero_grad', 'stale gradients'],
        "gpu_only": False,
        "what": 'train_step never clears the stale gradients.',
        "replace": {
            'train_step': r'''def train_step(model, X, y, loss_fn, optimizer):
    model.train()
    # MISTAKE: no `optimizer.zero_grad()`
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    return loss.item()
''',
        },
    },
    'mistake_step_without_optimizer_step.py': {
        "exercise": 'train_step',
        "words": ['optimizer.step()'],
        "gpu_only": False,
        "what": 'train_step never calls optimizer.step().',
        "replace": {
            'train_step': r'''def train_step(model, X, y, loss_fn, optimizer):
    model.train()
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    # MISTAKE: no `optimizer.step()`
    return loss.item()
''',
        },
    },
    'mistake_step_in_eval_mode.py': {
        "exercise": 'train_step',
        "words": ['model.train()'],
        "gpu_only": False,
        "what": 'train_step does not put the model in train mode.',
        "replace": {
            'train_step': r'''def train_step(model, X, y, loss_fn, optimizer):
    # MISTAKE: no `model.train()`
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    return loss.item()
''',
        },
    },
    'mistake_step_returns_tensor.py': {
        "exercise": 'train_step',
        "words": ['tensor', 'item()'],
        "gpu_only": False,
        "what": 'train_step returns the loss tensor instead of a Python float.',
        "replace": {
            'train_step': r'''def train_step(model, X, y, loss_fn, optimizer):
    model.train()
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    return loss  # MISTAKE
''',
        },
    },
    'mistake_step_returns_loss_after_step.py': {
        "exercise": 'train_step',
        "words": ['after the step'],
        "gpu_only": False,
        "what": 'train_step returns a loss recomputed after the step.',
        "replace": {
            'train_step': r'''def train_step(model, X, y, loss_fn, optimizer):
    model.train()
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    return loss_fn(model(X), y).item()  # MISTAKE
''',
        },
    },
    'mistake_accuracy_max_values_not_argmax.py': {
        "exercise": 'accuracy',
        "words": ['argmax'],
        "gpu_only": False,
        "what": 'accuracy compares the largest logit values, not their indices, with the targets.',
        "replace": {
            'accuracy': r'''def accuracy(logits, targets):
    predictions = logits.max(dim=-1).values  # MISTAKE
    return (predictions == targets).float().mean().item()
''',
        },
    },
    'mistake_accuracy_argmax_without_dim.py': {
        "exercise": 'accuracy',
        "words": ['argmax without dim'],
        "gpu_only": False,
        "what": 'accuracy takes argmax without dim (one index of the flattened tensor).',
        "replace": {
            'accuracy': r'''def accuracy(logits, targets):
    predictions = logits.argmax()  # MISTAKE
    return (predictions == targets).float().mean().item()
''',
        },
    },
    'mistake_accuracy_percentage.py': {
        "exercise": 'accuracy',
        "words": ['percentage'],
        "gpu_only": False,
        "what": 'accuracy returns a percentage instead of a fraction.',
        "replace": {
            'accuracy': r'''def accuracy(logits, targets):
    predictions = logits.argmax(dim=-1)
    return 100 * (predictions == targets).float().mean().item()  # MISTAKE
''',
        },
    },
    'mistake_predict_in_train_mode.py': {
        "exercise": 'predict_proba',
        "words": ['model.eval()'],
        "gpu_only": False,
        "what": 'predict_proba never puts the model in eval mode.',
        "replace": {
            'predict_proba': r'''def predict_proba(model, X):
    # MISTAKE: no `model.eval()`
    with torch.no_grad():
        return torch.softmax(model(X), dim=-1)
''',
        },
    },
    'mistake_predict_after_a_train_mode_forward.py': {
        "exercise": 'predict_proba',
        "words": ['changed the model', 'model.eval() before any forward pass'],
        "gpu_only": False,
        "what": 'predict_proba runs a leftover debugging forward pass in train mode first.',
        "replace": {
            'predict_proba': r'''def predict_proba(model, X):
    print(model(X).shape)  # MISTAKE: a leftover debugging line, still in train mode
    model.eval()
    with torch.no_grad():
        return torch.softmax(model(X), dim=-1)
''',
        },
    },
    'mistake_predict_tracks_gradients.py': {
        "exercise": 'predict_proba',
        "words": ['requires_grad', 'no_grad'],
        "gpu_only": False,
        "what": 'predict_proba computes without torch.no_grad().',
        "replace": {
            'predict_proba': r'''def predict_proba(model, X):
    model.eval()
    return torch.softmax(model(X), dim=-1)  # MISTAKE: no torch.no_grad()
''',
        },
    },
    'mistake_predict_returns_logits.py': {
        "exercise": 'predict_proba',
        "words": ['softmax'],
        "gpu_only": False,
        "what": 'predict_proba returns the logits instead of probabilities.',
        "replace": {
            'predict_proba': r'''def predict_proba(model, X):
    model.eval()
    with torch.no_grad():
        return model(X)  # MISTAKE
''',
        },
    },
    'mistake_predict_softmax_over_rows.py': {
        "exercise": 'predict_proba',
        "words": ['wrong dimension'],
        "gpu_only": False,
        "what": 'predict_proba applies softmax over the rows (dim=0).',
        "replace": {
            'predict_proba': r'''def predict_proba(model, X):
    model.eval()
    with torch.no_grad():
        return torch.softmax(model(X), dim=0)  # MISTAKE
''',
        },
    },
    'mistake_fit_line_defaults_too_small.py': {
        "exercise": 'fit_line',
        "words": ['within 0.05', 'epochs'],
        "gpu_only": False,
        "what": "fit_line's default epochs and lr are too small to reach the line.",
        "replace": {
            'fit_line': r'''def fit_line(x, y, *, epochs=100, lr=0.01, seed=0):  # MISTAKE
    torch.manual_seed(seed)
    model = nn.Linear(1, 1)
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
    return model.weight.item(), model.bias.item()
''',
        },
    },
    'mistake_fit_line_without_zero_grad.py': {
        "exercise": 'fit_line',
        "words": ['within 0.05'],
        "gpu_only": False,
        "what": 'fit_line never clears the gradients.',
        "replace": {
            'fit_line': r'''def fit_line(x, y, *, epochs=300, lr=0.5, seed=0):
    torch.manual_seed(seed)
    model = nn.Linear(1, 1)
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(epochs):
        # MISTAKE: no `optimizer.zero_grad()`
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
    return model.weight.item(), model.bias.item()
''',
        },
    },
    'mistake_fit_line_returns_tensors.py': {
        "exercise": 'fit_line',
        "words": ['tensor', '.item()'],
        "gpu_only": False,
        "what": 'fit_line returns the weight and bias tensors instead of floats.',
        "replace": {
            'fit_line': r'''def fit_line(x, y, *, epochs=300, lr=0.5, seed=0):
    torch.manual_seed(seed)
    model = nn.Linear(1, 1)
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
    return model.weight, model.bias  # MISTAKE
''',
        },
    },
    'mistake_losses_as_tensors.py': {
        "exercise": 'train_classifier',
        "words": ['tensor', 'loss.item()'],
        "gpu_only": False,
        "what": 'train_classifier stores the loss tensors instead of floats.',
        "replace": {
            'train_classifier': r'''def train_classifier(model, X, y, *, epochs, lr):
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        losses.append(loss)  # MISTAKE
    return losses
''',
        },
    },
    'mistake_losses_after_the_step.py': {
        "exercise": 'train_classifier',
        "words": ['after each step'],
        "gpu_only": False,
        "what": 'train_classifier records the loss recomputed after each step.',
        "replace": {
            'train_classifier': r'''def train_classifier(model, X, y, *, epochs, lr):
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        with torch.no_grad():  # MISTAKE
            losses.append(loss_fn(model(X), y).item())  # MISTAKE
    return losses
''',
        },
    },
    'mistake_classifier_with_sgd.py': {
        "exercise": 'train_classifier',
        "words": ['Adam'],
        "gpu_only": False,
        "what": 'train_classifier uses SGD instead of Adam.',
        "replace": {
            'train_classifier': r'''def train_classifier(model, X, y, *, epochs, lr):
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)  # MISTAKE
    model.train()
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
''',
        },
    },
    'mistake_classifier_in_eval_mode.py': {
        "exercise": 'train_classifier',
        "words": ['model.train()'],
        "gpu_only": False,
        "what": 'train_classifier does not put the model in train mode.',
        "replace": {
            'train_classifier': r'''def train_classifier(model, X, y, *, epochs, lr):
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    # MISTAKE: no `model.train()`
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
''',
        },
    },
    'mistake_classifier_without_zero_grad.py': {
        "exercise": 'train_classifier',
        "words": ['zero_grad'],
        "gpu_only": False,
        "what": 'train_classifier never clears the gradients.',
        "replace": {
            'train_classifier': r'''def train_classifier(model, X, y, *, epochs, lr):
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    losses = []
    for _ in range(epochs):
        # MISTAKE: no `optimizer.zero_grad()`
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
''',
        },
    },
    'mistake_classifier_trains_a_copy.py': {
        "exercise": 'train_classifier',
        "words": ['in place'],
        "gpu_only": False,
        "what": 'train_classifier trains a deep copy of the model, not the model itself.',
        "replace": {
            'train_classifier': r'''def train_classifier(model, X, y, *, epochs, lr):
    loss_fn = nn.CrossEntropyLoss()
    model = __import__('copy').deepcopy(model)  # MISTAKE
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
''',
        },
    },
    'mistake_saves_whole_model.py': {
        "exercise": 'save_weights',
        "words": ['weights_only=True', 'state_dict()'],
        "gpu_only": False,
        "what": 'save_weights pickles the whole model instead of its state_dict.',
        "replace": {
            'save_weights': r'''def save_weights(model, path):
    torch.save(model, path)  # MISTAKE
''',
        },
    },
    'mistake_load_returns_load_state_dict.py': {
        "exercise": 'save_weights',
        "words": ['return the model', 'load_state_dict'],
        "gpu_only": False,
        "what": 'load_weights returns what load_state_dict returns, not the model.',
        "replace": {
            'load_weights': r'''def load_weights(model, path):
    state = torch.load(path, map_location="cpu", weights_only=True)
    return model.load_state_dict(state)  # MISTAKE
''',
        },
    },
    # -- mistakes the grader caught only once it ran in the judge --------------
    'mistake_fcnet_squeezes_output.py': {
        "exercise": 'FCNet',
        "words": ['squeeze()', 'batch'],
        "gpu_only": False,
        "what": 'FCNet.forward squeezes its output, so a batch of one loses its batch dimension.',
        "replace": {
            'FCNet': r'''class FCNet(nn.Module):
    def __init__(self, in_features, hidden_units, out_features):
        super().__init__()
        layers = []
        size = in_features
        for hidden in hidden_units:
            layers.append(nn.Linear(size, hidden))
            layers.append(nn.ReLU())
            size = hidden
        layers.append(nn.Linear(size, out_features))
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return self.layers(x).squeeze()  # MISTAKE: drops every dimension of size 1
''',
        },
    },
    'mistake_count_iterates_layers.py': {
        "exercise": 'count_parameters',
        "words": ['not every model is an nn.Sequential', 'model.parameters()'],
        "gpu_only": False,
        "what": 'count_parameters walks the model layer by layer, which only an nn.Sequential allows.',
        "replace": {
            'count_parameters': r'''def count_parameters(model, trainable_only=True):
    total = 0
    for layer in model:  # MISTAKE: only an nn.Sequential can be iterated
        for p in layer.parameters():
            if p.requires_grad or not trainable_only:
                total += p.numel()
    return total
''',
        },
    },
    'mistake_step_ignores_loss_fn.py': {
        "exercise": 'train_step',
        "words": ['not the loss_fn it was given'],
        "gpu_only": False,
        "what": 'train_step computes a cross-entropy of its own instead of using loss_fn.',
        "replace": {
            'train_step': r'''def train_step(model, X, y, loss_fn, optimizer):
    model.train()
    optimizer.zero_grad()
    loss = nn.CrossEntropyLoss()(model(X), y)  # MISTAKE: not the loss_fn it was given
    loss.backward()
    optimizer.step()
    return loss.item()
''',
        },
    },
    'mistake_predict_leaves_grad_off.py': {
        "exercise": 'predict_proba',
        "words": ['gradient tracking switched off', 'with torch.no_grad():'],
        "gpu_only": False,
        "what": 'predict_proba switches gradient tracking off for the whole process and never back on.',
        "replace": {
            'predict_proba': r'''def predict_proba(model, X):
    model.eval()
    torch.set_grad_enabled(False)  # MISTAKE: never switched back on
    return torch.softmax(model(X), dim=-1)
''',
        },
    },
    'mistake_fit_line_unseeded.py': {
        "exercise": 'fit_line',
        "words": ['same seed', 'torch.manual_seed(seed)'],
        "gpu_only": False,
        "what": 'fit_line never seeds the initial weights with seed.',
        "replace": {
            'fit_line': r'''def fit_line(x, y, *, epochs=300, lr=0.5, seed=0):
    model = nn.Linear(1, 1)  # MISTAKE: no torch.manual_seed(seed) first
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
    return model.weight.item(), model.bias.item()
''',
        },
    },
    'mistake_fit_line_fixed_seed.py': {
        "exercise": 'fit_line',
        "words": ['must set the initial weights', 'not a fixed number'],
        "gpu_only": False,
        "what": 'fit_line always seeds with 0, whatever seed it is given.',
        "replace": {
            'fit_line': r'''def fit_line(x, y, *, epochs=300, lr=0.5, seed=0):
    torch.manual_seed(0)  # MISTAKE: a fixed number, not seed
    model = nn.Linear(1, 1)
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
    return model.weight.item(), model.bias.item()
''',
        },
    },
    'mistake_classifier_extra_forward.py': {
        "exercise": 'train_classifier',
        "words": ["BatchNorm's running statistics", 'one forward pass per epoch'],
        "gpu_only": False,
        "what": 'train_classifier prints a final accuracy from one more forward pass, still in train mode.',
        "replace": {
            'train_classifier': r'''def train_classifier(model, X, y, *, epochs, lr):
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    with torch.no_grad():
        hits = (model(X).argmax(dim=1) == y).float().mean().item()  # MISTAKE: still in train mode
    print(f"training accuracy: {hits:.2f}")
    return losses
''',
        },
    },
    'mistake_classifier_picks_its_device.py': {
        "exercise": 'train_classifier',
        "words": ["the model's parameters", 'device'],
        "gpu_only": True,
        "what": 'train_classifier moves model and data to the best device instead of training where they are.',
        "replace": {
            'train_classifier': r'''def train_classifier(model, X, y, *, epochs, lr):
    device = torch.device("cuda" if torch.cuda.is_available()
                          else "mps" if torch.backends.mps.is_available() else "cpu")
    model.to(device)  # MISTAKE: not where model and data already are
    X, y = X.to(device), y.to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
''',
        },
    },
}
