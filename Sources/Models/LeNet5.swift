// LeNet5.swift — LeNet-5 (LeCun, Bottou, Bengio & Haffner 1998) as used by Shridhar et al. (2019).
//
// Deviations from the 1998 network, following the paper's reference implementation: max
// pooling instead of trainable subsampling, full connections between conv1 and conv2, softplus
// (or ReLU) instead of scaled tanh, and a plain linear output layer instead of RBF units.
// Input 32×32 (MNIST digits are resized from 28×28).
//
// Shapes for a 1×32×32 input: conv 5×5 → 6×28×28 → pool → 6×14×14 → conv 5×5 → 16×10×10
// → pool → 16×5×5 = 400 → 120 → 84 → classes.

import Engine
import NN

public final class LeNet5: Module {
    public let conv1: Module
    public let conv2: Module
    public let fc1: Module
    public let fc2: Module
    public let fc3: Module
    public let activation: Activation
    let pool = MaxPool2d(kernelSize: 2, stride: 2)

    public init(classes: Int = 10, inputChannels: Int = 1, activation: Activation = .softplus, layers: LayerFactory) {
        conv1 = layers.convolution(inputChannels, 6, kernelSize: 5)
        conv2 = layers.convolution(6, 16, kernelSize: 5)
        fc1 = layers.linear(16 * 5 * 5, 120)
        fc2 = layers.linear(120, 84)
        fc3 = layers.linear(84, classes)
        self.activation = activation
    }

    override public func forward(_ x: Tensor) -> Tensor {
        var x = pool(activation(conv1(x)))
        x = pool(activation(conv2(x)))
        x = x.flattenedBatch()
        x = activation(fc1(x))
        x = activation(fc2(x))
        return fc3(x)
    }
}
