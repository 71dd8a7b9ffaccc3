// ThreeConvThreeFC.swift — the three-convolution, three-fully-connected net of the reference
// implementation of Shridhar et al. (2019). The paper does not report results for it.
//
// Shapes for a 3×32×32 input: conv 5×5 p2 → 32×32×32 → pool 3/2 → 15×15 → conv 5×5 p2 → 64×15×15
// → pool 3/2 → 7×7 → conv 5×5 p1 → 128×5×5 → pool 3/2 → 2×2 → 512 → 1000 → 1000 → classes.

import Engine
import NN

public final class ThreeConvThreeFC: Module {
    public let conv1: Module
    public let conv2: Module
    public let conv3: Module
    public let fc1: Module
    public let fc2: Module
    public let fc3: Module
    public let activation: Activation
    let pool = MaxPool2d(kernelSize: 3, stride: 2)

    public init(classes: Int = 10, inputChannels: Int = 3, activation: Activation = .softplus, layers: LayerFactory) {
        conv1 = layers.convolution(inputChannels, 32, kernelSize: 5, padding: 2)
        conv2 = layers.convolution(32, 64, kernelSize: 5, padding: 2)
        conv3 = layers.convolution(64, 128, kernelSize: 5, padding: 1)
        fc1 = layers.linear(2 * 2 * 128, 1000)
        fc2 = layers.linear(1000, 1000)
        fc3 = layers.linear(1000, classes)
        self.activation = activation
    }

    override public func forward(_ x: Tensor) -> Tensor {
        var x = pool(activation(conv1(x)))
        x = pool(activation(conv2(x)))
        x = pool(activation(conv3(x)))
        x = x.flattenedBatch()
        x = activation(fc1(x))
        x = activation(fc2(x))
        return fc3(x)
    }
}
