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

_UNIT4 = [
    # generative and discriminative models
    Question("A generative and a discriminative classifier are fitted to the same labelled digits. What does "
             "each one model?",
             ("Both model p(y | x) directly", "Generative p(x, y); discriminative p(y | x)",
              "Generative p(y | x); discriminative p(x, y)", "Generative p(x); discriminative p(y)"), 1,
             "A discriminative model (logistic regression, an MLP, an SVM) learns only the boundary p(y | x). A "
             "generative one learns p(x, y) = p(y)·p(x | y), so it can also draw new x, and it classifies through "
             "Bayes' rule: with p(y=1) = 0.3, p(x | y=1) = 0.4 and p(x | y=0) = 0.1 at some x, "
             "p(y=1 | x) = 0.12 / (0.12 + 0.07) ≈ 0.63. Discriminative models are usually cheaper and less "
             "disturbed by outliers; a generative one can still classify when some features are missing, by "
             "summing them out."),
    # the two networks
    Question("In a GAN, what does the generator G map, and what does the discriminator D return?",
             ("G: image → label; D: label → image", "G: noise → label; D: image → noise",
              "G: noise → sample; D: x → P(x is real)", "G: image → noise; D: noise → P(real)"), 2,
             "G turns a random vector z (for example 100 numbers drawn from N(0, 1)) into a sample G(z) of the "
             "data's shape. D is an ordinary binary classifier: D(x) is its estimate of the probability that x "
             "came from the training data. Only D ever sees real data; G learns from nothing but the gradient "
             "that flows back to it through D."),
    # the value function and the optimal discriminator
    Question("V(D, G) = E[log D(x)] + E[log(1 − D(G(z)))]. What is V when D outputs 0.5 for every input, real "
             "or fake?",
             ("0", "−0.693", "−1.386", "−2.773"), 2,
             "log 0.5 + log(1 − 0.5) = 2·log 0.5 = −log 4 ≈ −1.386. This is the value at the game's optimum, where "
             "p_g = p_data and D can do no better than a coin toss; D's cross-entropy loss, −V, is then "
             "2·log 2 ≈ 1.386. −0.693 counts only one of the two terms."),
    Question("For a fixed G the best discriminator is D*(x) = p_data(x) / (p_data(x) + p_g(x)). What is D* at a "
             "point where p_data = 0.3 and p_g = 0.1?",
             ("0.25", "0.75", "0.50", "0.30"), 1,
             "0.3 / (0.3 + 0.1) = 0.75: there, real samples are three times as likely as generated ones. D* "
             "maximises p_data·log D + p_g·log(1 − D) at each x (setting its derivative p_data/D − p_g/(1 − D) "
             "to 0 gives the formula). When p_g = p_data everywhere, D* = 0.5 and V = −log 4. 0.25 is "
             "p_g / (p_data + p_g), the share of the fakes."),
    # the training procedure
    Question("What happens in one iteration of the original GAN training algorithm with k = 3?",
             ("1 D step, then 3 G steps with D frozen", "3 D and 3 G steps, each updating both",
              "3 G steps, then 1 D step with G frozen", "3 D steps, then 1 G step with D frozen"), 3,
             "k discriminator updates, each on a batch of real samples and a batch of G's samples (G only "
             "produces them), then one generator update. G's gradient is backpropagated through D, but only G's "
             "weights change in that step: an update of D there would teach it to call the fakes real. In Keras "
             "the G step applies the tape's gradients to G's variables only (or sets discriminator.trainable = "
             "False in the stacked model)."),
    # saturating and non-saturating generator losses
    Question("Early in training D rejects a fake confidently: D(G(z)) = σ(a) = 0.01. For this one sample, what "
             "is the gradient with respect to the logit a of the minimax loss log(1 − D(G(z))) and of the "
             "non-saturating loss −log D(G(z))?",
             ("−0.01 and −0.99", "−0.99 and −0.01", "0 and −1 exactly", "+0.01 and +0.99"), 0,
             "d/da log(1 − σ(a)) = −σ(a) = −0.01, while d/da [−log σ(a)] = −(1 − σ(a)) = −0.99. Both push a up "
             "(gradient descent moves against the gradient) and both have the same fixed point, but the minimax "
             "form gives G almost no signal exactly when its samples are worst: it saturates. The "
             "non-saturating loss is 99 times stronger here, which is why G is normally trained with it."),
    # LSGAN
    Question("An LSGAN discriminator outputs a = 0.6 on a real sample and a = 0.2 on a fake one (targets 1 for "
             "real, 0 for fake; G aims for 1). What are D's loss ½(a_real − 1)² + ½a_fake² and G's loss "
             "½(a_fake − 1)²?",
             ("D 0.10, G 0.32", "D 0.20, G 0.64", "D 0.32, G 0.10", "D 0.10, G 0.02"), 0,
             "D: ½·0.4² + ½·0.2² = 0.08 + 0.02 = 0.10; G: ½·0.8² = 0.32. The squared error keeps pulling a fake "
             "towards the target even where D already classifies it correctly (a sigmoid cross-entropy is nearly "
             "flat there), so the gradients fade less; with suitably chosen targets LSGAN's objective minimises a "
             "Pearson χ² divergence. 0.20 and 0.64 leave out the ½."),
    # mode collapse and instability
    Question("A GAN trained on a ring of 8 Gaussians puts all 1,000 of its samples near 2 of the 8 centres. "
             "What is this called, and how does it score?",
             ("Overfitting; 8 of 8 modes covered", "Vanishing gradients; 0 modes covered",
              "Mode collapse; 2 of 8 modes covered", "Underfitting; 6 of 8 modes covered"), 2,
             "G has found a few outputs that fool the current D and sends most of the noise there; when D "
             "catches up, G tends to jump to other modes rather than spread out. Counting the modes covered "
             "measures it: a mode counts when at least ⌈0.2·1,000 / 8⌉ = 25 samples lie within 3σ of its centre. "
             "What helps: the non-saturating or least-squares loss, balanced learning rates or D:G step ratio, "
             "and letting D compare the samples within a batch (minibatch discrimination)."),
    Question("Why is a falling generator loss not, by itself, a sign that a GAN is getting better?",
             ("Each loss depends on the other network", "The generator's loss is always negative",
              "Adam rescales the losses at every step", "Batch norm resets the loss each epoch"), 0,
             "The two networks play a game: G's loss falls when D gets worse, D's when G gets worse, so the curves "
             "oscillate and can look calm while the samples collapse or cycle. At the ideal end D's loss is not 0 "
             "but 2·log 2 ≈ 1.386 (D answers 0.5); a D loss near 0 means D has won and G's gradients fade. Judge "
             "progress by the samples and a metric (modes covered, digit FD)."),
    # DCGAN
    Question("Which of these is not one of the DCGAN guidelines?",
             ("Strided convolutions to downsample", "Max pooling to downsample", "Batch norm in both networks",
              "LeakyReLU in the discriminator"), 1,
             "DCGAN replaces pooling by learned resampling: strided convolutions in D, transposed (fractionally "
             "strided) convolutions in G. It also uses batch normalisation in both networks (except on G's output "
             "and D's input), ReLU in G with a tanh output layer, LeakyReLU in D, and no fully connected hidden "
             "layers."),
    Question("A DCGAN generator ends in tanh. How should the real images (grey levels 0 to 255) be scaled, and "
             "why?",
             ("To [0, 1], so D's output is a probability", "Not at all, to keep the original contrast",
              "Standardised, so mean 0 speeds training", "To [−1, 1], the same range as G's output"), 3,
             "tanh returns values in (−1, 1). The map x/127.5 − 1 sends 0 to −1 and 255 to 1, so real and fake "
             "pixels share one range; otherwise D could tell the fakes by their range instead of their shapes. "
             "dlhelpers.data.mnist_5k(value_range=(−1, 1)) scales this way."),
    Question("Keras Conv2DTranspose with a 4 × 4 kernel, strides 2 and padding 'valid' is applied to a 7 × 7 map. "
             "What is the output size?",
             ("14 × 14", "16 × 16", "13 × 13", "2 × 2"), 1,
             "Each input pixel stamps a scaled 4 × 4 copy of the kernel, 2 pixels after its neighbour's: "
             "(n − 1)·s + max(k, s) = 6·2 + 4 = 16. With padding 'same' Keras gives n·s = 14, the usual way a "
             "DCGAN generator grows 7 → 14 → 28. The max matters when k < s: n = 3, k = 1, s = 2 gives 6, not 5. "
             "2 × 2 is what an ordinary 4 × 4 convolution with stride 2 makes of a 7 × 7 map."),
    # conditional GAN and the GAN family
    Question("How does a conditional GAN produce a digit of the class you ask for?",
             ("The label is fed to both G and D", "The label is fed to D only", "One separate GAN per class",
              "The noise is multiplied by the label"), 0,
             "G(z, y) gets the label with the noise (for example a one-hot vector of 10 appended to 100 noise "
             "numbers: 110 inputs), and D(x, y) judges whether x is a real example of class y, so a well-drawn 7 "
             "labelled 3 is rejected. ACGAN varies this: its D sees only x and predicts both real-or-fake and "
             "the class."),
    Question("Which GAN turns horse photos into zebra photos without paired examples, by requiring that "
             "translating there and back returns the original, F(G(x)) ≈ x?",
             ("SRGAN", "InfoGAN", "CycleGAN", "LSGAN"), 2,
             "CycleGAN: two generators (G: A → B, F: B → A), a discriminator for each domain and a "
             "cycle-consistency loss ‖F(G(x)) − x‖₁. SRGAN: a generator turns a low-resolution image into a "
             "high-resolution one, trained with an adversarial and a perceptual (feature) loss. InfoGAN: adds "
             "code variables c to the noise and maximises the mutual information between c and G(z, c), so c "
             "learns readable factors (digit class, slant, width) without labels. LSGAN: least-squares losses "
             "instead of the cross-entropy."),
    # measuring a GAN
    Question("The Fréchet distance between Gaussians is FD = ‖μa − μb‖² + Tr(Ca + Cb − 2(Ca Cb)^½). What is it "
             "between N(0, 1) and N(1, 4) in one dimension (4 is the variance)?",
             ("6", "1", "5", "2"), 3,
             "In 1-D, FD = (μa − μb)² + σa² + σb² − 2σaσb = 1 + 1 + 4 − 2·1·2 = 2, that is "
             "(μa − μb)² + (σa − σb)². 6 forgets the cross term. FID, and the course's digit FD, apply the formula "
             "to a classifier's features of real and generated images, with means and covariances estimated from "
             "the samples: lower is better, 0 for identical statistics."),
    # applications
    Question("Which of these tasks is not an application of GANs?",
             ("Ageing a face in a photo", "Drawing images from a text", "Sharpening low-res photos",
              "Flagging spam e-mails"), 3,
             "Spam filtering labels existing data: a discriminative task. GANs produce data: faces of people who "
             "do not exist, aged or frontal views of faces, images from a text description, high-resolution "
             "versions of photos (SRGAN), image-to-image translation, synthetic examples that enlarge a small "
             "training set."),
]

_UNIT5 = [
    # architecture
    Question("An autoencoder is an encoder, a bottleneck and a decoder. What is it trained to output?",
             ("The class label of its input", "A new sample from random noise", "The code that the encoder made",
              "Its input, rebuilt from the code"), 3,
             "The encoder f maps x to a short code z = f(x) (the bottleneck, also called the code or latent "
             "representation), the decoder g maps it back to x̂ = g(z), and the loss L(x, x̂) compares the output "
             "with the input itself, so no labels are needed. For 28 × 28 digits and a 32-number code the "
             "bottleneck holds 784 / 32 = 24.5 times fewer numbers than the image, and the reconstruction is "
             "lossy. The code is what you keep: for compression, for plots of the data, as features. A GAN's "
             "generator, by contrast, starts from random noise and has no encoder."),
    Question("An autoencoder for 784-pixel digits has a 1,000-unit code and is trained on the reconstruction loss "
             "alone. What can go wrong?",
             ("It can learn to copy its input", "It can only learn PCA's subspace", "Its loss cannot fall below 0.25",
              "It needs labelled digits to train"), 0,
             "A code at least as wide as the input (overcomplete: 1,000 ≥ 784) can pass x through unchanged: "
             "zero loss, nothing learned. A 'lossless' autoencoder whose bottleneck is as large as the input is "
             "this trivial copy, not compression. An undercomplete code (32 < 784) forces the network to keep "
             "what most inputs share and drop the rest. An overcomplete code becomes useful only with a "
             "constraint: noise on the input (denoising), a sparsity penalty on the code, or a penalty on the "
             "encoder's derivatives (contractive)."),
    Question("A linear autoencoder (no activation functions) with a k-unit code is trained to the minimum of the "
             "mean squared error. What does it learn?",
             ("The k pixels whose values vary the most", "The mean image of each of k classes",
              "The subspace of PCA's top k components", "k independent, non-Gaussian sources"), 2,
             "At the minimum, x̂ is the data's mean plus the orthogonal projection of x − mean onto the span of the "
             "top k principal components: the same reconstruction, and the same MSE, as PCA with k components. The "
             "weights span that subspace but need not be the components: for any invertible k × k matrix A, "
             "encoder W_e·A and decoder A⁻¹·W_d give the same x̂, so the units come mixed and unordered. Nonlinear "
             "activations and more layers are what let an autoencoder beat PCA at the same code size. "
             "Independent non-Gaussian sources are what ICA looks for."),
    Question("A tied autoencoder encodes h = x·W and decodes x̂ = h·Wᵀ with a single kernel W (784 × 32). Which "
             "gradient does the optimiser apply to W?",
             ("The encoder use's gradient alone", "The sum of the two uses' gradients",
              "The mean of the two uses' gradients", "The decoder use's gradient alone"), 1,
             "W is used twice, so by the chain rule its gradient adds both contributions: ∂L/∂W = xᵀ·δh + "
             "(hᵀ·δx̂)ᵀ, where δh and δx̂ are the gradients arriving at the code and at the output (the decoder's "
             "part is computed for Wᵀ and transposed back). Either part alone, or their mean, is not the gradient "
             "of the loss and fails a gradient check. Tying halves the kernels: a linear 784 → 32 → 784 "
             "autoencoder has 784·32 + 32 + 784 = 25,904 parameters tied and 50,992 untied."),
    # reconstruction losses and metrics
    Question("A grey pixel x = 0.5 is reconstructed exactly, x̂ = 0.5. What do the squared error and the binary "
             "cross-entropy give for it?",
             ("MSE 0, BCE 0", "MSE 0, BCE 0.693", "MSE 0.25, BCE 0.693", "MSE 0.25, BCE 0"), 1,
             "(0.5 − 0.5)² = 0, but −[0.5·log 0.5 + 0.5·log 0.5] = log 2 ≈ 0.693. The binary cross-entropy is "
             "smallest at x̂ = x, yet that minimum is the entropy of x, zero only for pixels that are exactly 0 or "
             "1, so a BCE value says little on its own. The BCE is the Bernoulli log-likelihood and suits a "
             "sigmoid output on pixels in [0, 1]: it punishes confident mistakes harder (x = 1, x̂ = 0.9: MSE "
             "0.010, BCE 0.105). The MSE is the Gaussian log-likelihood up to constants and works for any range."),
    Question("A reconstructed digit with pixels in [0, 1] has MSE 0.01 against the original. What is its PSNR?",
             ("10 dB", "40 dB", "20 dB", "−20 dB"), 2,
             "PSNR = 10·log10(R² / MSE) with the data range R = 1: 10·log10(1 / 0.01) = 10·log10(100) = 20 dB. "
             "Higher is better; every 10 dB is a tenfold smaller MSE, and halving the MSE adds 10·log10 2 ≈ 3.01 "
             "dB. R is the width of the pixel scale: 255 for grey levels 0–255 (the same image scores the same "
             "20 dB there), 2 for [−1, 1]. Passing R = 255 for images in [0, 1] adds 20·log10 255 ≈ 48.13 dB to "
             "every score."),
    Question("Two copies of a grey photo in [0, 1] have the same MSE, 0.01 (PSNR 20 dB): one has 0.1 added to "
             "every pixel, the other Gaussian noise with σ = 0.1. Which has the higher SSIM, and why?",
             ("Equal: SSIM is a function of MSE", "The noisy one: its mean is unchanged",
              "Both near 1: 20 dB is a high PSNR", "The shifted one: structure is intact"), 3,
             "SSIM compares every 7 × 7 window of the two images on three things: luminance (the local means), "
             "contrast (the local standard deviations) and structure (their correlation σxy / (σx·σy)), with "
             "C1 = (0.01·R)² and C2 = (0.03·R)² keeping dark, flat windows stable. A constant shift changes only "
             "the means, so contrast and structure stay exactly 1 and only the luminance term drops a little; "
             "independent noise adds variance and destroys the local correlation. On the course's sample photo "
             "(grey, R = 1): SSIM 0.95 for the shift, 0.43 for the noise, both at PSNR 20.0 dB. MSE counts "
             "errors pixel by pixel whatever their pattern; SSIM is closer to what the eye notices."),
    # variants
    Question("How is a denoising autoencoder trained?",
             ("Clean input, noisy target", "Noisy input, noisy target", "Noisy input, clean target",
              "Clean input, clean target"), 2,
             "The training images are corrupted, x̃ = x + σ·ε (σ = 0.2, clipped back to [0, 1]) or with "
             "salt-and-pepper noise, and the loss compares the output g(f(x̃)) with the clean x. Copying the input "
             "no longer pays, so even a wide code must learn what digits look like. The noisy input is the first "
             "baseline: Gaussian noise with σ = 0.2 alone has MSE ≈ σ² = 0.04, a PSNR of 10·log10(1 / 0.04) ≈ "
             "14.0 dB (a little more after clipping, which removes part of the noise). A 3 × 3 median filter is "
             "the classic second baseline, strong against salt-and-pepper noise."),
    Question("A convolutional autoencoder halves 28 × 28 digits twice with stride-2 convolutions ('same' "
             "padding). What takes its decoder from 7 × 7 back to 28 × 28?",
             ("Two 2 × 2 max-pooling layers, stride 2", "Two stride-2 transposed convolutions",
              "Two more stride-2 convolutions", "A Flatten layer, then a softmax"), 1,
             "Conv2DTranspose(f, 3, strides=2, padding='same') multiplies each side by the stride: 7 → 14 → 28. "
             "The other usual choice is UpSampling2D(2), which copies every pixel into a 2 × 2 block, followed "
             "by an ordinary 'same' convolution that learns to smooth; it avoids the checkerboard pattern a "
             "transposed convolution can leave when its kernel size is not a multiple of the stride. Pooling and "
             "strided convolutions shrink maps: they belong in the encoder. Because convolutions share their "
             "weights across the image, a convolutional autoencoder needs far fewer parameters than a dense one "
             "and keeps the pixels' local structure."),
    # the variational autoencoder
    Question("Why does a VAE compute its code as z = μ + σ·ε with ε ~ N(0, I), instead of drawing z from "
             "N(μ, σ²) directly?",
             ("So the gradient can reach μ and σ", "So that every code z is positive",
              "So the KL term becomes exactly 0", "So no random numbers are needed"), 0,
             "A number drawn by a random generator has no derivative with respect to the distribution's "
             "parameters. Written as z = μ + exp(½·log σ²)·ε, the randomness sits in the input ε and z is a smooth "
             "function of the encoder's outputs: ∂z/∂μ = 1 and ∂z/∂(log σ²) = ½·σ·ε. For μ = 1, log σ² = log 4 "
             "(σ = 2) and ε = 0.5: z = 1 + 2·0.5 = 2, and a gradient dL/dz = 1 flows back as 1 to μ and "
             "½·2·0.5 = 0.5 to log σ². The encoder outputs log σ² rather than σ so that any real number gives a "
             "valid σ > 0."),
    Question("For one latent dimension, KL(N(μ, σ²) ‖ N(0, 1)) = ½(σ² + μ² − 1 − log σ²). What is it for μ = 1 "
             "and log σ² = 0?",
             ("0", "1", "0.25", "0.5"), 3,
             "log σ² = 0 means σ² = 1, so ½(1 + 1² − 1 − 0) = 0.5 nats. The term is 0 only at μ = 0, log σ² = 0, "
             "where the code's distribution is the prior N(0, 1); the VAE sums it over the latent dimensions and "
             "averages over the batch, so two such dimensions give 1.0. Its gradient is ∂KL/∂μ = μ = 1 and "
             "∂KL/∂(log σ²) = ½(σ² − 1) = 0: here it pulls the mean towards 0 and leaves the variance alone. 1 "
             "forgets the ½; 0 looks at the variance only."),
    Question("For one digit, a VAE's expected log-likelihood E_q[log p(x | z)] is −95 nats and its KL term is 5 "
             "nats. What are the ELBO and the loss minimised in training?",
             ("ELBO −90, loss 90", "ELBO −100, loss 100", "ELBO −100, loss −100", "ELBO 100, loss −100"), 1,
             "ELBO = E_q[log p(x | z)] − KL(q(z | x) ‖ p(z)) = −95 − 5 = −100 nats, and training minimises −ELBO "
             "= 95 + 5 = 100: the reconstruction term (for a Bernoulli decoder, the binary cross-entropy summed "
             "over the 784 pixels) plus the KL term. It is a lower bound: log p(x) = ELBO + KL(q(z | x) ‖ "
             "p(z | x)) ≥ ELBO. The reconstruction term spreads the codes out so that digits can be told apart; "
             "the KL term pulls every q(z | x) towards N(0, I), which keeps the latent space smooth enough to "
             "sample from. −90 adds the KL term instead of subtracting it."),
    # anomaly detection
    Question("An autoencoder trained on digits 0–8 flags a digit as anomalous when its reconstruction error is "
             "above a threshold t. Where should t be chosen?",
             ("On the test digits, for the best F1", "Above the largest training error",
              "On validation digits, then kept fixed", "At the median error of all digits"), 2,
             "The autoencoder has seen only normal digits, so the hope is that it rebuilds them well and unseen "
             "digits badly: the reconstruction error is the anomaly score (V.6 shows where the hope fails: 9s come "
             "back as 4s and 7s, wrong in meaning but close in pixels). The threshold is fitted to data like any other choice, so "
             "it is chosen on a validation split (for example the best F1, or at most 5 % false alarms among "
             "normal digits) and then reported on the test split; choosing it on the test digits overstates "
             "precision and recall. Training errors are too low (the model fitted those very digits), so their "
             "largest value is no guide. If t flags 45 of 50 test nines and 15 of 450 normal test digits: "
             "precision 45 / 60 = 0.75, recall 45 / 50 = 0.90."),
    Question("Five test digits get anomaly scores: the normal ones 0.2, 0.3 and 0.6, the anomalous ones 0.5 and "
             "0.9. What is the AUROC?",
             ("0.83", "0.67", "0.50", "1.00"), 0,
             "The AUROC is the probability that a random anomalous sample scores higher than a random normal one "
             "(ties count one half); it is also the area under the ROC curve, the true-positive rate against the "
             "false-positive rate over all thresholds. Of the 2·3 = 6 pairs only (0.5, 0.6) is in the wrong "
             "order: 5 / 6 ≈ 0.83. It needs no threshold; 0.5 is chance and 1 a perfect ranking. Accuracy is a "
             "poor summary when anomalies are rare: with 10 % anomalies, flagging nothing is already 90 % "
             "accurate."),
    # autoencoders and GANs
    Question("Why are an autoencoder's reconstructions and samples usually blurrier than a GAN's?",
             ("Its decoder has fewer layers", "It is trained on fewer images", "Its codes come from a uniform law",
              "The pixel loss favours an average"), 3,
             "Where several sharp outputs are plausible, the squared error is smallest for their mean: if a pixel "
             "is 1 in half of the plausible digits and 0 in the other half, answering 0.5 costs ½·0.5² + ½·0.5² = "
             "0.25 on average, and either sharp value costs 0.5. A GAN's discriminator rejects anything that does "
             "not look real, so its generator commits to one sharp output, at the price of unstable training and "
             "mode collapse. The autoencoder has what a GAN lacks: an explicit encoder x → z and a stable "
             "reconstruction loss. Both learn without labels: D's 'real' and 'fake' targets come from the "
             "algorithm, not from annotation."),
    Question("An adversarial autoencoder adds a discriminator to an ordinary autoencoder. What does that "
             "discriminator compare?",
             ("Encoder codes with draws from N(0, I)", "Input images with their reconstructions",
              "True class labels with predicted ones", "The VAE's noise ε with uniform noise"), 0,
             "The encoder plays the generator: D learns to tell its codes z = f(x) from samples of the prior "
             "N(0, I), the encoder learns to fool D, and the decoder keeps reconstructing. The codes then fill "
             "the prior's shape, so decoding fresh draws from N(0, I) gives digits; a plain autoencoder's codes "
             "sit wherever training left them, and its decoder fed the same noise often draws smudges. A VAE "
             "reaches a similar goal with its KL term, per sample and in closed form. Other hybrids place D "
             "elsewhere: VAE-GAN on images (real against reconstructed, for sharper output), BiGAN on pairs "
             "(x, E(x)) against (G(z), z), which gives a GAN an encoder."),
]

QUIZZES = {"unit1": _UNIT1, "unit2": _UNIT2, "unit3": _UNIT3, "unit4": _UNIT4, "unit5": _UNIT5}
