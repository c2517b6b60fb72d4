"""The ``fc_nets`` grader (graders/test_fc_nets.py), judged from outside (see ``variant_suite.py``).

* The reference solution and correct solutions written in other styles
  (``tests/variants/fc_nets/correct_*.py``) get full marks.
* Each mistake of ``tests/variants/fc_nets/mistakes.py`` is the reference
  solution with ONE realistic mistake; it fails exactly the exercise below,
  every other exercise keeps full marks, and its feedback names the problem.
  Mistakes that only an accelerator can reveal pass on a CPU.
"""

from __future__ import annotations

from variant_suite import VariantSuite


class TestFcNetsVariants(VariantSuite):
    TOPIC = "fc_nets"
    MISTAKE_STATUS = "failed"
    # mistake file -> (exercise that must lose points, words the English feedback must contain,
    # whether only an accelerator reveals it)
    MISTAKES = {
        "mistake_softmax_on_logits.py": ("FCNet", ['softmax', 'raw logits'], False),
        "mistake_relu_after_last_layer.py": ("FCNet", ['ReLU after the last layer'], False),
        "mistake_no_relu_between_layers.py": ("FCNet", ['ReLU between layers is missing'], False),
        "mistake_hidden_layers_without_bias.py": ("FCNet", ['parameters', 'bias'], False),
        "mistake_counts_frozen_parameters.py": ("count_parameters", ['requires_grad'], False),
        "mistake_counts_tensors_not_values.py": ("count_parameters", ['numel'], False),
        "mistake_step_without_zero_grad.py": ("train_step", ['zero_grad', 'stale gradients'], False),
        "mistake_step_without_optimizer_step.py": ("train_step", ['optimizer.step()'], False),
        "mistake_step_in_eval_mode.py": ("train_step", ['model.train()'], False),
        "mistake_step_returns_tensor.py": ("train_step", ['tensor', 'item()'], False),
        "mistake_step_returns_loss_after_step.py": ("train_step", ['after the step'], False),
        "mistake_accuracy_max_values_not_argmax.py": ("accuracy", ['argmax'], False),
        "mistake_accuracy_argmax_without_dim.py": ("accuracy", ['argmax without dim'], False),
        "mistake_accuracy_percentage.py": ("accuracy", ['percentage'], False),
        "mistake_predict_in_train_mode.py": ("predict_proba", ['model.eval()'], False),
        "mistake_predict_after_a_train_mode_forward.py": ("predict_proba", ['changed the model',
                                                                           'model.eval() before any forward pass'], False),
        "mistake_predict_tracks_gradients.py": ("predict_proba", ['requires_grad', 'no_grad'], False),
        "mistake_predict_returns_logits.py": ("predict_proba", ['softmax'], False),
        "mistake_predict_softmax_over_rows.py": ("predict_proba", ['wrong dimension'], False),
        "mistake_fit_line_defaults_too_small.py": ("fit_line", ['within 0.05', 'epochs'], False),
        "mistake_fit_line_without_zero_grad.py": ("fit_line", ['within 0.05'], False),
        "mistake_fit_line_returns_tensors.py": ("fit_line", ['tensor', '.item()'], False),
        "mistake_losses_as_tensors.py": ("train_classifier", ['tensor', 'loss.item()'], False),
        "mistake_losses_after_the_step.py": ("train_classifier", ['after each step'], False),
        "mistake_classifier_with_sgd.py": ("train_classifier", ['Adam'], False),
        "mistake_classifier_in_eval_mode.py": ("train_classifier", ['model.train()'], False),
        "mistake_classifier_without_zero_grad.py": ("train_classifier", ['zero_grad'], False),
        "mistake_classifier_trains_a_copy.py": ("train_classifier", ['in place'], False),
        "mistake_saves_whole_model.py": ("save_weights", ['weights_only=True', 'state_dict()'], False),
        "mistake_load_returns_load_state_dict.py": ("save_weights", ['return the model', 'load_state_dict'], False),
        # caught once the grader ran in the judge (wider inputs, layouts and side effects)
        "mistake_fcnet_squeezes_output.py": ("FCNet", ["squeeze()", "batch"], False),
        "mistake_count_iterates_layers.py": ("count_parameters", ["not every model is an nn.Sequential",
                                                                  "model.parameters()"], False),
        "mistake_step_ignores_loss_fn.py": ("train_step", ["not the loss_fn it was given"], False),
        "mistake_predict_leaves_grad_off.py": ("predict_proba", ["gradient tracking switched off",
                                                                 "with torch.no_grad():"], False),
        "mistake_fit_line_unseeded.py": ("fit_line", ["same seed", "torch.manual_seed(seed)"], False),
        "mistake_fit_line_fixed_seed.py": ("fit_line", ["must set the initial weights", "not a fixed number"], False),
        "mistake_classifier_extra_forward.py": ("train_classifier", ["BatchNorm's running statistics",
                                                                     "one forward pass per epoch"], False),
        "mistake_classifier_picks_its_device.py": ("train_classifier", ["the model's parameters", "device"], True),
    }
    SPANISH = ("mistake_step_without_zero_grad.py", "train_step", ["gradientes viejos no se borraron"])
