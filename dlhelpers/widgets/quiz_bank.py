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

_UNIT3 = [
    # kinds of recurrent models
    Question("Classifying a film review (a sequence of words in, one label out) uses which kind of RNN?",
             ("One-to-one", "One-to-many", "Many-to-one", "Many-to-many"), 2,
             "The network reads every word and only the state after the last one feeds the classifier "
             "(return_sequences=False in Keras). One-to-many writes a sequence from one input (a caption for an "
             "image, a melody from a seed); many-to-many maps a sequence to a sequence (translation, tagging)."),
    Question("Which of these tasks is one-to-many?",
             ("Writing a caption for a photo", "Detecting spam in an e-mail", "Translating a sentence",
              "Tagging each word's part of speech"), 0,
             "One input (the image's features) and a sequence of outputs (the words). Spam detection is "
             "many-to-one; translation and tagging are many-to-many."),
    # unrolling and parameter sharing
    Question("A SimpleRNN is unrolled over T = 50 time steps. How many sets of weights does the unrolled network use?",
             ("50, one set per step", "One set, shared by all steps", "49, one per transition",
              "One set per hidden unit"), 1,
             "Unrolling draws one copy of the cell per step, but every copy uses the same kernel, recurrent_kernel "
             "and bias. So the parameter count does not depend on T, the model accepts sequences of any length, "
             "and in training the gradient of each weight is the sum of its contributions at all 50 steps."),
    # parameter counts
    Question("A SimpleRNN layer with 4 units reads sequences with 3 features per step. How many parameters does it have?",
             ("28", "32", "16", "44"), 1,
             "kernel 3·4 = 12, recurrent_kernel 4·4 = 16, bias 4: U·(D + U + 1) = 4·(3 + 4 + 1) = 32. "
             "28 forgets the biases."),
    Question("An LSTM layer with U = 32 units reads D = 8 features per step. How many parameters does it have?",
             ("1,312", "5,120", "5,248", "4,032"), 2,
             "Four gates (i, f, c, o), each with a kernel D·U, a recurrent kernel U·U and a bias U: "
             "4·(8·32 + 32·32 + 32) = 4·(256 + 1,024 + 32) = 4·1,312 = 5,248. 1,312 is one gate; "
             "5,120 leaves out the biases; 4,032 is a GRU of the same size."),
    Question("A Keras GRU layer (reset_after=True, the default) with U = 32 units reads D = 8 features. "
             "How many parameters does it have?",
             ("4,032", "3,936", "5,248", "3,072"), 0,
             "Three blocks (z, r, h): kernel 8·96, recurrent_kernel 32·96 and a bias of shape (2, 96), one row "
             "for the input part and one for the recurrent part: 3·(8·32 + 32·32 + 2·32) = 3·1,344 = 4,032. "
             "With a single bias row (reset_after=False) it would be 3,936."),
    Question("Bidirectional(LSTM(32)) with merge_mode='concat' reads 8 features per step. What are its output "
             "width and its parameter count?",
             ("32 wide, 5,248 params", "64 wide, 5,248 params", "32 wide, 10,496 params",
              "64 wide, 10,496 params"), 3,
             "Two independent LSTMs, one reading forwards and one backwards, each with 4·(8·32 + 32·32 + 32) "
             "= 5,248 parameters: 10,496. 'concat' joins their 32-wide outputs into 64 numbers."),
    # BPTT and truncation
    Question("What does backpropagation through time (BPTT) do with the gradient of the shared recurrent_kernel?",
             ("Uses only the last step's part", "Keeps a separate one per step", "Sums its parts over all steps",
              "Averages the first and last step"), 2,
             "The unrolled RNN is a deep feedforward network whose layers share weights. The chain rule gives one "
             "contribution per step, ∂L/∂U = Σ_t h_{t−1}ᵀ dz_t, and because the weights are tied the "
             "contributions add up."),
    Question("Truncated BPTT with k = 20 steps trains on sequences of 1,000 steps. What does the truncation give up?",
             ("Gradients over more than 20 steps", "The forward pass after step 20", "The hidden state at step 20",
              "The loss of the last 980 steps"), 0,
             "The forward pass still runs over all 1,000 steps and the state carries on; only the backward pass "
             "stops after 20 steps. Each update costs O(k) instead of O(T), but the gradient can no longer teach "
             "the model a dependency longer than 20 steps."),
    # vanishing and exploding gradients, clipping
    Question("Going back one step through a tanh RNN multiplies the gradient by recurrent_kernelᵀ and by tanh′. "
             "If each such step shrinks its norm by a factor 0.9, how much is left after 50 steps?",
             ("about 45 %", "about 10 %", "about 5 %", "about 0.5 %"), 3,
             "0.9⁵⁰ ≈ 0.0052, about half a percent: the vanishing gradient. A factor of 1.1 instead would grow it "
             "1.1⁵⁰ ≈ 117 times: the exploding gradient. Either way the product is geometric in the distance."),
    Question("After a few hundred updates an RNN's loss suddenly jumps and turns into NaN. What is the likely "
             "cause and remedy?",
             ("Vanishing gradients; add layers", "Exploding gradients; clip them", "Overfitting; add dropout",
              "Too little data; augment it"), 1,
             "A gradient that grows geometrically through time makes one huge update that throws the weights far "
             "away. Clipping caps the norm of the update (Keras: clipnorm or global_clipnorm on the optimizer); "
             "vanishing gradients make learning stall, not explode."),
    Question("Global-norm clipping with global_clipnorm = 13 is applied to the gradients kernel = [6, 8] and "
             "bias = [24]. What does the kernel gradient become?",
             ("[6, 8]", "[0.23, 0.31]", "[3, 4]", "[4.8, 6.4]"), 2,
             "The global norm is √(6² + 8² + 24²) = √676 = 26 > 13, so every gradient is scaled by 13/26 = 0.5: "
             "kernel [3, 4], bias [12]; the direction of the whole update is kept. Clipping each array on its own "
             "(clipnorm = 13) would leave the kernel, whose norm is 10, at [6, 8]."),
    # LSTM and GRU gates
    Question("In an LSTM step c = f⊙c_prev + i⊙g and h = o⊙tanh(c). What happens to a unit whose forget "
             "gate is f ≈ 0?",
             ("Its cell keeps c_prev as it is", "Its output h becomes exactly 0", "It drops c_prev: c ≈ i⊙g",
              "Its input gate closes as well"), 2,
             "f multiplies the old cell state, so f ≈ 0 erases it and the cell holds only what the input gate "
             "writes now. Keeping a memory needs f ≈ 1 and i ≈ 0; whether it is shown in h is the output gate's "
             "decision."),
    Question("Why can an LSTM carry a gradient over many more steps than a SimpleRNN?",
             ("Its cell path is multiplied by f", "It has four times more weights", "It uses sigmoid, not tanh",
              "Its output gate is always open"), 0,
             "Along the cell state ∂c_t/∂c_{t−1} = f_t elementwise, with no weight matrix and no squashing in "
             "between. While f ≈ 1 the gradient passes almost unchanged; Keras starts the forget bias at 1 "
             "(unit_forget_bias=True) so that f = σ(1) ≈ 0.73 from the start."),
    Question("In what order are the four gate blocks stored in the columns of a Keras LSTM kernel (D, 4U)?",
             ("f, i, o, c", "i, f, c, o", "i, o, f, c", "c, i, f, o"), 1,
             "Input gate, forget gate, cell candidate, output gate: kernel[:, U:2U] is the forget gate. The same "
             "order holds for recurrent_kernel (U, 4U) and bias (4U,), which is why Keras's unit_forget_bias puts "
             "its ones in bias[U:2U]."),
    Question("In Keras's GRU, h = z⊙h_prev + (1 − z)⊙h̃. What does an update gate z ≈ 1 do?",
             ("Replaces the state by h̃", "Keeps the previous state", "Resets the state to zero",
              "Adds h̃ to the state"), 1,
             "With z ≈ 1 the new state is the old one: the unit remembers. z ≈ 0 replaces it by the candidate "
             "h̃ = tanh(x W_h + b_x + r⊙(h_prev U_h + b_h)), in which the reset gate r decides how much of the "
             "past the candidate may see. Some texts write z and 1 − z the other way round."),
    Question("How does a GRU differ from an LSTM?",
             ("Four gates and two cell states", "No gates, only a tanh step", "Two gates, no separate cell state",
              "An extra peephole per gate"), 2,
             "A GRU has an update gate z and a reset gate r, and its hidden state is also its memory. An LSTM has "
             "input, forget and output gates and a separate cell state c. With three blocks instead of four a GRU "
             "has about 3/4 of an LSTM's parameters."),
    # bidirectional
    Question("For which task can a bidirectional RNN not be used?",
             ("Tagging the words of a sentence", "Real-time forecasting of the next value",
              "Classifying a finished review", "Transcribing a recorded speech"), 1,
             "The backward direction reads the sequence from its end, so every output depends on future inputs. "
             "When the whole sequence is there (a sentence, a recording) that helps; a forecast of the next value "
             "must be made before the future exists."),
    # forecasting baselines
    Question("On the course's CO₂ test windows, the last-value forecast has a one-step MAE of 1.12 ppm. "
             "A trained LSTM scores 1.30 ppm. What follows?",
             ("The LSTM is good: 1.30 is small", "The test set must be too short", "MAE cannot compare the two",
              "The LSTM is not useful yet"), 3,
             "An error of 1.30 ppm looks tiny next to values around 360 ppm, but copying last month's value does "
             "better. A model earns its keep only by beating such a baseline on the same test windows; "
             "predicting the change from the last value instead of the level is a common fix."),
    Question("On those CO₂ windows, the same-month-last-year forecast scores 1.71 ppm, worse than the last "
             "value's 1.12. Why?",
             ("CO₂ has no yearly cycle", "It misses a whole year of growth", "Its windows contain gaps",
              "MAE favours the last value"), 1,
             "The seasonal forecast gets the cycle right but ignores the trend: CO₂ rose by about 1.7 ppm a "
             "year over the test period, and that whole year's rise is its error. The last-value forecast misses "
             "only one month's change."),
    # character models
    Question("A character model's mean cross-entropy is 1.386 nats per character. How many bits per character is that?",
             ("1.39", "2.00", "0.96", "4.00"), 1,
             "Divide by ln 2 to turn nats into bits: 1.386 / 0.693 = 2.00 bits per character, as uncertain as a "
             "fair choice among 2² = 4 characters (perplexity 4). Guessing uniformly among 27 symbols would "
             "score log₂ 27 ≈ 4.75."),
]

QUIZZES = {"unit1": _UNIT1, "unit2": _UNIT2, "unit3": _UNIT3}
