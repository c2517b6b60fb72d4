"""Realistic mistakes in ``transfer_learning``: the reference solution with ONE change each.

Each entry names a variant (kept as the file name a student would hand in), says
what the mistake is, and gives the top-level functions or classes that replace
the reference's (``replace``) and any module-level lines added (``extra``).
``tests/variant_suite.py`` builds the module with :func:`variant_suite.build_mistake`.
"""

MISTAKES = {
    'mistake_build_freeze_after_head.py': {
        "exercise": 'build_transfer_model',
        "words": ['no parameter requires gradients', 'freeze after'],
        "gpu_only": False,
        "what": 'build_transfer_model replaces the head first and freezes afterwards, so the new head is frozen too.',
        "replace": {
            'build_transfer_model': r'''def build_transfer_model(backbone, num_classes):
    return freeze(replace_head(backbone, num_classes))  # MISTAKE: the new head gets frozen too
''',
        },
    },
    'mistake_finetune_all_parameters.py': {
        "exercise": 'fine_tune',
        "words": ['frozen parameters', 'trainable_parameters(model)'],
        "gpu_only": False,
        "what": 'fine_tune hands Adam every parameter of the model, frozen ones included.',
        "replace": {
            'fine_tune': r'''def fine_tune(model, X, y, *, epochs, lr, device):
    model.to(device)
    X, y = X.to(device), y.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)  # MISTAKE: frozen parameters too
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for _ in range(epochs):
        model.eval()  # frozen BatchNorm keeps its statistics
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
''',
        },
    },
    'mistake_finetune_data_not_moved.py': {
        "exercise": 'fine_tune',
        "words": ['device'],
        "gpu_only": True,
        "what": 'fine_tune moves the model but not the data to the device (only visible when grading on a GPU).',
        "replace": {
            'fine_tune': r'''def fine_tune(model, X, y, *, epochs, lr, device):
    model.to(device)
    # MISTAKE: X and y stay where they are
    optimizer = torch.optim.Adam(trainable_parameters(model), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for _ in range(epochs):
        model.eval()  # frozen BatchNorm keeps its statistics
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
''',
        },
    },
    'mistake_finetune_sgd.py': {
        "exercise": 'fine_tune',
        "words": ['uses SGD', 'Adam'],
        "gpu_only": False,
        "what": 'fine_tune uses SGD instead of Adam.',
        "replace": {
            'fine_tune': r'''def fine_tune(model, X, y, *, epochs, lr, device):
    model.to(device)
    X, y = X.to(device), y.to(device)
    optimizer = torch.optim.SGD(trainable_parameters(model), lr=lr)  # MISTAKE: not Adam
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for _ in range(epochs):
        model.eval()  # frozen BatchNorm keeps its statistics
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
''',
        },
    },
    'mistake_finetune_train_mode.py': {
        "exercise": 'fine_tune',
        "words": ['BatchNorm statistics', 'running_mean', 'model.eval()'],
        "gpu_only": False,
        "what": 'fine_tune trains in train mode, so the frozen BatchNorm running statistics drift.',
        "replace": {
            'fine_tune': r'''def fine_tune(model, X, y, *, epochs, lr, device):
    model.to(device)
    X, y = X.to(device), y.to(device)
    optimizer = torch.optim.Adam(trainable_parameters(model), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for _ in range(epochs):
        model.train()  # MISTAKE: BatchNorm updates running_mean/var even though it is frozen
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
''',
        },
    },
    'mistake_finetune_unfreezes.py': {
        "exercise": 'fine_tune',
        "words": ['frozen parameters', 'requires_grad'],
        "gpu_only": False,
        "what": 'fine_tune unfreezes the whole model to make sure it trains, so the backbone changes.',
        "replace": {
            'fine_tune': r'''def fine_tune(model, X, y, *, epochs, lr, device):
    model.to(device)
    X, y = X.to(device), y.to(device)
    model.requires_grad_(True)  # MISTAKE: the backbone trains again
    optimizer = torch.optim.Adam(trainable_parameters(model), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for _ in range(epochs):
        model.eval()  # frozen BatchNorm keeps its statistics
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
''',
        },
    },
    'mistake_freeze_attribute.py': {
        "exercise": 'freeze',
        "words": ['6 of 6 parameters still require gradients'],
        "gpu_only": False,
        "what": 'freeze sets model.requires_grad = False, which only creates an attribute on the module.',
        "replace": {
            'freeze': r'''def freeze(model):
    model.requires_grad = False  # MISTAKE: a new attribute, no parameter changes
    return model
''',
        },
    },
    'mistake_freeze_conv_only.py': {
        "exercise": 'freeze',
        "words": ['4 of 6 parameters still require gradients', 'BatchNorm'],
        "gpu_only": False,
        "what": 'freeze only freezes the convolution layers: BatchNorm and Linear parameters keep training.',
        "replace": {
            'freeze': r'''def freeze(model):
    for module in model.modules():
        if isinstance(module, nn.Conv2d):  # MISTAKE: BatchNorm and Linear are left trainable
            for parameter in module.parameters():
                parameter.requires_grad_(False)
    return model
''',
        },
    },
    'mistake_freeze_eval_only.py': {
        "exercise": 'freeze',
        "words": ['still require gradients'],
        "gpu_only": False,
        "what": 'freeze only switches the model to eval mode, which freezes nothing.',
        "replace": {
            'freeze': r'''def freeze(model):
    model.eval()  # MISTAKE: eval mode is not freezing
    return model
''',
        },
    },
    'mistake_head_only_fc.py': {
        "exercise": 'replace_head',
        "words": ['AttributeError', 'fc'],
        "gpu_only": False,
        "what": 'replace_head only knows the .fc layout.',
        "replace": {
            'replace_head': r'''def replace_head(model, num_classes):
    parent, name = model, "fc"  # MISTAKE: .classifier layouts are not handled
    old = getattr(parent, name)
    new = nn.Linear(old.in_features, num_classes, device=old.weight.device, dtype=old.weight.dtype)
    setattr(parent, name, new)
    return model
''',
        },
    },
    'mistake_head_whole_classifier.py': {
        "exercise": 'replace_head',
        "words": ['no longer runs', 'Flatten'],
        "gpu_only": False,
        "what": 'replace_head replaces the whole nn.Sequential classifier instead of its last item.',
        "replace": {
            'replace_head': r'''def replace_head(model, num_classes):
    if isinstance(getattr(model, "fc", None), nn.Linear):
        parent, name = model, "fc"
    elif isinstance(model.classifier, nn.Sequential):
        parent, name = model, "classifier"  # MISTAKE: drops the Flatten and Dropout before the last Linear
        old = model.classifier[-1]
        setattr(parent, name, nn.Linear(old.in_features, num_classes, device=old.weight.device, dtype=old.weight.dtype))
        return model
    else:
        parent, name = model, "classifier"
    old = getattr(parent, name)
    new = nn.Linear(old.in_features, num_classes, device=old.weight.device, dtype=old.weight.dtype)
    setattr(parent, name, new)
    return model
''',
        },
    },
    'mistake_head_wrong_dtype_device.py': {
        "exercise": 'replace_head',
        "words": ['dtype torch.float32', 'float64', 'dtype=old.weight.dtype'],
        "gpu_only": False,
        "what": "replace_head creates the new Linear with the default dtype on the CPU, not the old layer's.",
        "replace": {
            'replace_head': r'''def replace_head(model, num_classes):
    if isinstance(getattr(model, "fc", None), nn.Linear):
        parent, name = model, "fc"
    elif isinstance(model.classifier, nn.Sequential):
        parent, name = model.classifier, str(len(model.classifier) - 1)
    else:
        parent, name = model, "classifier"
    old = getattr(parent, name)
    new = nn.Linear(old.in_features, num_classes)  # MISTAKE: float32 on the CPU, whatever the model
    setattr(parent, name, new)
    return model
''',
        },
    },
    'mistake_trainable_filter.py': {
        "exercise": 'trainable_parameters',
        "words": ['must return a list', 'filter'],
        "gpu_only": False,
        "what": 'trainable_parameters returns a filter object, not a list.',
        "replace": {
            'trainable_parameters': r'''def trainable_parameters(model):
    return filter(lambda p: p.requires_grad, model.parameters())  # MISTAKE: not a list
''',
        },
    },
    'mistake_trainable_named_pairs.py': {
        "exercise": 'trainable_parameters',
        "words": ['list of parameters', 'nn.Parameter'],
        "gpu_only": False,
        "what": 'trainable_parameters returns (name, parameter) pairs, as named_parameters() gives them.',
        "replace": {
            'trainable_parameters': r'''def trainable_parameters(model):
    return [(name, p) for name, p in model.named_parameters() if p.requires_grad]  # MISTAKE: pairs
''',
        },
    },
    'mistake_trainable_names.py': {
        "exercise": 'trainable_parameters',
        "words": ['nn.Parameter'],
        "gpu_only": False,
        "follows": 'fine_tune',
        "what": 'trainable_parameters returns the names of the parameters, not the parameters.',
        "replace": {
            'trainable_parameters': r'''def trainable_parameters(model):
    return [name for name, p in model.named_parameters() if p.requires_grad]  # MISTAKE: names
''',
        },
    },
}

# Mistakes the grader catches since it tries every layout the curriculum lists and
# recomputes fine_tune's training (none of them lost points before).
MISTAKES.update({
    'mistake_freeze_children_only.py': {
        "exercise": 'freeze',
        "words": ['1 of 9 parameters still require gradients', 'layer_scale', 'model.children() does not'],
        "gpu_only": False,
        "what": "freeze freezes each child module, so a parameter the model holds itself (a ResNet-style layer scale) keeps training.",
        "replace": {
            'freeze': r'''def freeze(model):
    for layer in model.children():  # MISTAKE: parameters of the model itself are in no child
        for parameter in layer.parameters():
            parameter.requires_grad_(False)
    return model
''',
        },
    },
    'mistake_head_first_linear.py': {
        "exercise": 'replace_head',
        "words": ['nn.Sequential VGG', 'in place of the last layer'],
        "gpu_only": False,
        "what": "replace_head replaces the first nn.Linear of a Sequential classifier, not the last (same thing when there is only one).",
        "replace": {
            'replace_head': r'''def replace_head(model, num_classes):
    if isinstance(getattr(model, "fc", None), nn.Linear):
        parent, name = model, "fc"
    elif isinstance(model.classifier, nn.Sequential):
        # MISTAKE: the first Linear of the classifier, not its last item
        index = next(i for i, layer in enumerate(model.classifier) if isinstance(layer, nn.Linear))
        parent, name = model.classifier, str(index)
    else:
        parent, name = model, "classifier"
    old = getattr(parent, name)
    new = nn.Linear(old.in_features, num_classes, device=old.weight.device, dtype=old.weight.dtype)
    setattr(parent, name, new)
    return model
''',
        },
    },
    'mistake_build_freeze_features_only.py': {
        "exercise": 'build_transfer_model',
        "words": ['AttributeError', 'features'],
        "gpu_only": False,
        "what": "build_transfer_model freezes only backbone.features (the course backbone's body), not the whole model.",
        "replace": {
            'build_transfer_model': r'''def build_transfer_model(backbone, num_classes):
    backbone.features.requires_grad_(False)  # MISTAKE: not every model keeps its body in .features
    return replace_head(backbone, num_classes)
''',
        },
    },
    'mistake_trainable_children_only.py': {
        "exercise": 'trainable_parameters',
        "words": ["missing ['layer_scale']", 'belongs to the model itself'],
        "gpu_only": False,
        "what": "trainable_parameters goes through the child modules, so a parameter the model holds itself is missing.",
        "replace": {
            'trainable_parameters': r'''def trainable_parameters(model):
    # MISTAKE: parameters of the model itself are in no child
    return [p for layer in model.children() for p in layer.parameters() if p.requires_grad]
''',
        },
    },
    'mistake_finetune_no_zero_grad.py': {
        "exercise": 'fine_tune',
        "words": ['gradients pile up', 'optimizer.zero_grad()'],
        "gpu_only": False,
        "what": "fine_tune never clears the gradients, so they pile up from step to step.",
        "replace": {
            'fine_tune': r'''def fine_tune(model, X, y, *, epochs, lr, device):
    model.to(device)
    X, y = X.to(device), y.to(device)
    optimizer = torch.optim.Adam(trainable_parameters(model), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for _ in range(epochs):
        model.eval()  # frozen BatchNorm keeps its statistics
        loss = loss_fn(model(X), y)
        loss.backward()  # MISTAKE: no optimizer.zero_grad(), gradients accumulate
        optimizer.step()
        losses.append(loss.item())
    return losses
''',
        },
    },
    'mistake_finetune_sums_batch_losses.py': {
        "exercise": 'fine_tune',
        "words": ["the sum of its 2 mini-batches' losses", 'their mean was expected'],
        "gpu_only": False,
        "what": "fine_tune trains on mini-batches and returns the sum of each epoch's batch losses, not their mean.",
        "replace": {
            'fine_tune': r'''def fine_tune(model, X, y, *, epochs, lr, device):
    model.to(device)
    X, y = X.to(device), y.to(device)
    optimizer = torch.optim.Adam(trainable_parameters(model), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for _ in range(epochs):
        model.eval()  # frozen BatchNorm keeps its statistics
        total = 0.0
        for start in range(0, len(X), 4):
            loss = loss_fn(model(X[start:start + 4]), y[start:start + 4])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item()
        losses.append(total)  # MISTAKE: the sum of the batch losses, not their mean
    return losses
''',
        },
    },
    'mistake_finetune_classifier_parameters.py': {
        "exercise": 'fine_tune',
        "words": ['AttributeError', 'classifier'],
        "gpu_only": False,
        "what": "fine_tune hands Adam model.classifier.parameters(), which only the course backbone's layout has.",
        "replace": {
            'fine_tune': r'''def fine_tune(model, X, y, *, epochs, lr, device):
    model.to(device)
    X, y = X.to(device), y.to(device)
    optimizer = torch.optim.Adam(model.classifier.parameters(), lr=lr)  # MISTAKE: .fc models have no .classifier
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for _ in range(epochs):
        model.eval()  # frozen BatchNorm keeps its statistics
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
''',
        },
    },
    'mistake_finetune_adam_each_epoch.py': {
        "exercise": 'fine_tune',
        "words": ['new Adam every epoch', 'before the loop'],
        "gpu_only": False,
        "what": "fine_tune creates a new Adam at the start of every epoch, so its moment estimates start over each time.",
        "replace": {
            'fine_tune': r'''def fine_tune(model, X, y, *, epochs, lr, device):
    model.to(device)
    X, y = X.to(device), y.to(device)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for _ in range(epochs):
        optimizer = torch.optim.Adam(trainable_parameters(model), lr=lr)  # MISTAKE: a fresh Adam every epoch
        model.eval()  # frozen BatchNorm keeps its statistics
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
''',
        },
    },
})
