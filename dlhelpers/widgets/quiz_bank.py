"""Question banks for the unit self-checks (plain data; no ipywidgets)."""
from __future__ import annotations

from .quiz_state import Question

__all__ = ["QUIZZES"]

_UNIT1 = [
    # the five questions from the Unit 1 slides
    Question("Which of these is not an activation function used in deep neural networks?",
             ("ReLU", "Sigmoid", "Tanh", "Mean squared error"), 3,
             "Mean squared error is a loss: it compares predictions with targets; it does not transform a neuron's input."),
    Question("What is backpropagation used for?",
             ("Initialising the weights", "Calculating the loss", "Updating the weights (it computes the gradients the update needs)",
              "Choosing the number of hidden layers"), 2,
             "Backpropagation applies the chain rule from the loss back to every weight; gradient descent then updates them."),
    Question("What is an epoch?",
             ("One forward pass", "One backward pass", "One complete pass through the training set",
              "The number of layers"), 2,
             "With N samples and batch size B, one epoch is ⌈N / B⌉ weight updates."),
    Question("Which technique helps against vanishing gradients in very deep networks?",
             ("Regularisation", "Batch normalisation", "Data augmentation", "Max-pooling"), 1,
             "Normalising each layer's inputs keeps activations in the range where derivatives are not tiny "
             "(residual connections and ReLU help too)."),
    Question("What is the primary objective of deep learning, compared with classic ML pipelines?",
             ("Hand-made feature engineering", "Data visualisation", "Learning the features automatically from raw data",
              "Data preprocessing"), 2,
             "The hidden layers learn the representation that classic ML asked a person to design."),
    # our own
    Question("What is the largest value the derivative of the sigmoid takes?",
             ("1", "0.5", "0.25", "It is unbounded"), 2,
             "σ'(z) = σ(z)(1 − σ(z)) peaks at z = 0 with 0.5 × 0.5 = 0.25, so each sigmoid layer shrinks gradients at least 4×."),
    Question("Why can a single perceptron not learn XOR?",
             ("The learning rate is too small", "XOR's classes cannot be split by one straight line",
              "XOR needs more than 4 training examples", "The step function has no bias"), 1,
             "A perceptron's decision boundary is the line w0 + w1·x1 + w2·x2 = 0; no line separates (0,1),(1,0) from (0,0),(1,1)."),
    Question("In mini-batch gradient descent with batch size 1, what do you get?",
             ("Batch gradient descent", "Stochastic gradient descent", "Adam", "No training at all"), 1,
             "One sample per update is stochastic gradient descent; the whole set per update is batch gradient descent."),
    Question("All weights of an MLP start at exactly 0. What happens during training?",
             ("It trains normally", "Hidden units in a layer stay identical to each other",
              "The loss becomes NaN", "Only the biases are zero so nothing changes"), 1,
             "Equal weights give equal activations and equal gradients, so the symmetry is never broken."),
    Question("The softmax of [1, 2, 3, 4, 1, 2, 3] puts most of its mass on which entry?",
             ("The first 1", "Each 3", "The 4 (about 0.475)", "All entries equally"), 2,
             "Softmax exponentiates: e^4 dominates, giving 0.475; the two 3s get 0.175 each."),
]

QUIZZES = {"unit1": _UNIT1}
