"""Question banks for the unit self-checks (plain data; no ipywidgets).

House rules for a question, checked by the tests: the options of one question are of similar
length (the right one is never the conspicuously long one), the right answer's position varies,
and every question has an explanation, with a worked number where there is one.
"""
from __future__ import annotations

from .quiz_state import Question

__all__ = ["QUIZZES"]

_UNIT1 = [
    # the five questions of the Unit I slides (options reworded to similar lengths)
    Question("Which of these is not an activation function used in deep neural networks?",
             ("Rectified linear unit (ReLU)", "Logistic sigmoid", "Hyperbolic tangent (tanh)", "Mean squared error"), 3,
             "Mean squared error is a loss: it compares predictions with targets; it does not transform a neuron's input."),
    Question("What is backpropagation used for?",
             ("Initialising the weights randomly", "Computing the loss on a batch", "Computing the weights' gradients",
              "Choosing how many layers to use"), 2,
             "Backpropagation applies the chain rule from the loss back to every weight; gradient descent then "
             "uses those gradients to update the weights."),
    Question("What is an epoch?",
             ("One forward pass over a batch", "One backward pass over a batch", "One pass over the whole training set",
              "One weight update per layer"), 2,
             "With N samples and batch size B, one epoch is ⌈N / B⌉ weight updates: 1,000 samples in batches of 32 "
             "give 32 updates per epoch."),
    Question("Which technique helps against vanishing gradients in very deep networks?",
             ("Regularisation", "Batch normalisation", "Data augmentation", "Max-pooling"), 1,
             "Normalising each layer's inputs keeps activations in the range where derivatives are not tiny "
             "(residual connections and ReLU help too)."),
    Question("What is the primary objective of deep learning, compared with classic ML pipelines?",
             ("Hand-crafting features for a model", "Visualising the data", "Learning features from raw data",
              "Preprocessing the data"), 2,
             "The hidden layers learn the representation that classic ML asked a person to design."),
    # our own
    Question("What is the largest value the derivative of the sigmoid takes?",
             ("1", "0.5", "0.25", "It is unbounded"), 2,
             "σ'(z) = σ(z)(1 − σ(z)) peaks at z = 0 with 0.5 × 0.5 = 0.25, so each sigmoid layer shrinks gradients "
             "at least 4×."),
    Question("Why can a single perceptron not learn XOR?",
             ("The learning rate is too small", "No straight line splits its classes", "XOR needs more than 4 examples",
              "The step function has no bias"), 1,
             "A perceptron's decision boundary is the line w0 + w1·x1 + w2·x2 = 0; no line separates (0,1),(1,0) "
             "from (0,0),(1,1)."),
    Question("In mini-batch gradient descent with batch size 1, what do you get?",
             ("Batch gradient descent", "Stochastic gradient descent", "The Adam optimiser", "No training at all"), 1,
             "One sample per update is stochastic gradient descent; the whole set per update is batch gradient descent."),
    Question("All weights of an MLP start at exactly 0. What happens during training?",
             ("It trains as well as random init", "Units in a layer stay identical", "The loss becomes NaN at once",
              "The learning rate drops to zero"), 1,
             "Equal weights give equal activations and equal gradients, so the symmetry is never broken."),
    Question("The softmax of [1, 2, 3, 4, 1, 2, 3] puts most of its mass on which entry?",
             ("The first entry (a 1)", "Each of the two 3s", "The 4 (about 0.475)", "All seven equally"), 2,
             "Softmax exponentiates: e⁴ dominates, giving 0.475; the two 3s get 0.175 each."),
]

_UNIT2 = [
    # output sizes: n_out = ⌊(n + 2p − k) / s⌋ + 1
    Question("A 28 × 28 image is convolved with a 5 × 5 kernel, stride 1, no padding. What is the output size?",
             ("23 × 23", "24 × 24", "26 × 26", "28 × 28"), 1,
             "⌊(28 + 2·0 − 5) / 1⌋ + 1 = 24: the kernel fits in 24 positions along each axis."),
    Question("A 32 × 32 input, a 3 × 3 kernel, stride 2 and padding 1 on each side. What is the output size?",
             ("15 × 15", "17 × 17", "32 × 32", "16 × 16"), 3,
             "⌊(32 + 2·1 − 3) / 2⌋ + 1 = ⌊31 / 2⌋ + 1 = 15 + 1 = 16. Stride 2 roughly halves each side."),
    Question("How many zeros must pad each side of a 7 × 7 input so a 5 × 5 convolution (stride 1) keeps it 7 × 7?",
             ("1", "2", "3", "5"), 1,
             "'same' padding for an odd kernel is p = (k − 1) / 2 = 2: ⌊(7 + 4 − 5) / 1⌋ + 1 = 7."),
    Question("The course's 5 × 5 binary image is convolved with the 3 × 3 'X' kernel (1 on the corners and the "
             "centre, 0 elsewhere), stride 1, no padding. What comes out?",
             ("3 × 3, top-left value 4", "5 × 5, top-left value 4", "3 × 3, top-left value 6",
              "3 × 3, top-left value 9"), 0,
             "(5 − 3) / 1 + 1 = 3 positions per axis. The top-left window is [1 1 1; 0 1 1; 0 0 1]; the kernel keeps "
             "its corners and centre: 1 + 1 + 1 + 0 + 1 = 4 (6 would be the sum of the whole window)."),
    # parameter counts: (KH·KW·C + 1)·F
    Question("A Conv2D layer has 16 filters of size 3 × 3 on an RGB input. How many parameters does it have?",
             ("432", "160", "448", "144"), 2,
             "Each filter has 3·3·3 = 27 weights (one per channel) plus 1 bias: (27 + 1)·16 = 448. 432 forgets the "
             "biases; 160 forgets the 3 channels."),
    Question("A Conv2D layer with 64 filters of 3 × 3 follows one with 32 filters. How many parameters does it add?",
             ("18,496", "18,432", "640", "36,928"), 0,
             "Its input has 32 channels: (3·3·32 + 1)·64 = 289·64 = 18,496. 18,432 leaves out the 64 biases."),
    Question("How many trainable parameters does a 2 × 2 max-pooling layer have?",
             ("4 per channel", "1 per channel", "0", "4 in total"), 2,
             "Pooling has no weights: it takes the maximum (or mean) of each window. It shrinks the map and so "
             "the parameters of the layers after it."),
    Question("LeNet-5's first layer puts six 5 × 5 filters on a 32 × 32 greyscale image (no padding). "
             "What are its output shape and parameter count?",
             ("28 × 28 × 6, 150 params", "32 × 32 × 6, 156 params", "28 × 28 × 1, 26 params",
              "28 × 28 × 6, 156 params"), 3,
             "32 − 5 + 1 = 28 per side, one map per filter; (5·5·1 + 1)·6 = 156 parameters (150 without biases)."),
    Question("Why does a CNN need far fewer parameters than a dense network on images?",
             ("One small kernel is reused everywhere", "Pooling layers delete most weights",
              "Images are turned to greyscale first", "ReLU sets half of the weights to 0"), 0,
             "Weight sharing: a 3 × 3 kernel has 9 weights wherever it sits. A dense layer from 28 × 28 pixels to "
             "100 units needs 784·100 + 100 = 78,500 parameters; 32 filters of 3 × 3 need (9 + 1)·32 = 320."),
    # pooling, with the notes' 4 × 4 example [[12, 20, 30, 0], [8, 12, 2, 0], [34, 70, 37, 4], [112, 100, 25, 12]]
    Question("Max pooling (2 × 2, stride 2) of the notes' 4 × 4 map [12 20 30 0; 8 12 2 0; 34 70 37 4; "
             "112 100 25 12] gives?",
             ("[13 8; 79 19.5]", "[20 30; 112 37]", "[12 30; 112 25]", "[20 30; 100 37]"), 1,
             "Each 2 × 2 window keeps its largest value: max(12, 20, 8, 12) = 20, max(30, 0, 2, 0) = 30, "
             "max(34, 70, 112, 100) = 112, max(37, 4, 25, 12) = 37. [13 8; 79 19.5] is average pooling (the notes "
             "misprint its 19.5 as 20)."),
    Question("Average pooling of the bottom-left window [34 70; 112 100] of that map gives?",
             ("112", "316", "79", "70"), 2,
             "(34 + 70 + 112 + 100) / 4 = 316 / 4 = 79; max pooling would keep 112."),
    Question("Global average pooling of a 7 × 7 × 64 feature map gives how many numbers per image?",
             ("49", "64", "3,136", "1"), 1,
             "One mean per channel: 64 numbers. Flatten would give 7·7·64 = 3,136."),
    Question("A 28 × 28 digit passes two 'same' conv layers, each followed by 2 × 2 max pooling with stride 2; the "
             "second conv has 36 filters. How many numbers does Flatten produce?",
             ("7,056", "28,224", "36", "1,764"), 3,
             "'same' keeps the size; each pooling halves it: 28 → 14 → 7. Flatten: 7·7·36 = 1,764 (the dense "
             "layer size in the notes' TensorFlow example)."),
    Question("Three 3 × 3 convolutions (stride 1) are stacked. How large is the input window one output value sees?",
             ("3 × 3", "5 × 5", "7 × 7", "9 × 9"), 2,
             "Each layer widens the receptive field by k − 1 = 2: 1 + 2 + 2 + 2 = 7. With C channels in and out, "
             "that costs 3·9·C² = 27C² weights against 49C² for a single 7 × 7 layer (VGG's argument)."),
    # regularisation and normalisation
    Question("Inverted dropout with rate 0.25 keeps a unit whose activation is 2.0. What is passed on in training?",
             ("2.0", "1.5", "0.5", "2.67"), 3,
             "Survivors are divided by the keep probability 1 − 0.25 = 0.75: 2.0 / 0.75 ≈ 2.67, so the expected "
             "value stays 2.0. At inference dropout does nothing."),
    Question("Batch norm on the batch [1, 2, 3] (ε ignored, γ = 1, β = 0): what does the value 3 become?",
             ("1.22", "1.00", "1.50", "0.50"), 0,
             "Mean 2, biased variance ((−1)² + 0² + 1²) / 3 = 2/3, so (3 − 2) / √(2/3) ≈ 1.22. Dividing by the "
             "variance instead of its square root gives the wrong 1.50."),
    Question("BatchNormalization after a conv layer with 64 filters: how many of its parameters are trained?",
             ("64", "128", "256", "0"), 1,
             "Per channel: γ and β are trained (2·64 = 128); the running mean and variance are updated by "
             "averaging, not by gradients, which makes 256 in total."),
    Question("Which augmentation would teach a digit classifier something false?",
             ("Rotating by ±10°", "Shifting by 2 pixels", "Rotating by 180°", "Light salt-and-pepper"), 2,
             "Augmentation must keep the label true. Turned upside down a 6 looks like a 9 but keeps the label 6; "
             "small shifts, small rotations and a little noise leave a digit what it is."),
    # architectures
    Question("Which idea defines VGG?",
             ("Only 3 × 3 convs, stacked deep", "Parallel 1×1, 3×3, 5×5 branches", "Shortcuts that add the input",
              "Tanh and average pooling"), 0,
             "VGG (2014) uses 3 × 3 convolutions only, in blocks of 2–4 between poolings; Inception has the "
             "parallel branches, ResNet the shortcuts, LeNet tanh-like units and average pooling."),
    Question("In an Inception module, why does a 1 × 1 convolution come before the 5 × 5 branch?",
             ("It widens the receptive field", "It cuts the channels first", "It replaces the activation",
              "It adds the input back in"), 1,
             "On 28 × 28 × 192 inputs, 32 filters of 5 × 5 need 5·5·192·32 = 153,600 weights; reducing to 16 "
             "channels first needs 192·16 + 5·5·16·32 = 3,072 + 12,800 = 15,872, about 10× fewer."),
    Question("A ResNet block outputs relu(F(x) + x). What does the shortcut do for training?",
             ("It doubles the learning rate", "It removes the need for ReLU", "It gives gradients a direct path",
              "It freezes the weights of F"), 2,
             "∂(F(x) + x)/∂x = ∂F/∂x + 1: the '+ 1' carries the gradient back even when F's part is tiny, so very "
             "deep stacks still train. When the shape changes, a 1 × 1 convolution with the same stride replaces x."),
]

QUIZZES = {"unit1": _UNIT1, "unit2": _UNIT2}
