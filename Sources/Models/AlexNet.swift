// AlexNet.swift — AlexNet (Krizhevsky, Sutskever & Hinton 2012) in the small-image variant of
// Shridhar et al. (2019) and their reference implementation.
//
// Deviations from the 2012 network: 32×32 inputs, so the first convolution uses stride 4 with
// padding 5 and the net ends in 1×1×128 features; 2×2 max pooling; no local response
// normalisation, no dropout, and a single fully connected layer. `widthDivisor: 2` gives the
// paper's AlexNetHalf (every convolution's width halved), used in the pruning chapter.
//
// Shapes for a 3×32×32 input: conv 11×11/4 p5 → 64×8×8 → pool → 4×4 → conv 5×5 p2 → 192×4×4
// → pool → 2×2 → conv 3×3 p1 → 384 → 256 → 128 (×2×2) → pool → 128×1×1 → classes.

import Engine
import NN

public final class AlexNet: Module {
    public let conv1: Module
    public let conv2: Module
    public let conv3: Module
    public let conv4: Module
    public let conv5: Module
    public let classifier: Module
    public let activation: Activation
    let pool = MaxPool2d(kernelSize: 2, stride: 2)

    public init(classes: Int = 10, inputChannels: Int = 3, widthDivisor: Int = 1, activation: Activation = .softplus,
                layers: LayerFactory) {
        let width = [64, 192, 384, 256, 128].map { $0 / widthDivisor }
        conv1 = layers.convolution(inputChannels, width[0], kernelSize: 11, stride: 4, padding: 5)
        conv2 = layers.convolution(width[0], width[1], kernelSize: 5, padding: 2)
        conv3 = layers.convolution(width[1], width[2], kernelSize: 3, padding: 1)
        conv4 = layers.convolution(width[2], width[3], kernelSize: 3, padding: 1)
        conv5 = layers.convolution(width[3], width[4], kernelSize: 3, padding: 1)
        classifier = layers.linear(width[4], classes)
        self.activation = activation
    }

    override public func forward(_ x: Tensor) -> Tensor {
        var x = pool(activation(conv1(x)))
        x = pool(activation(conv2(x)))
        x = activation(conv3(x))
        x = activation(conv4(x))
        x = pool(activation(conv5(x)))
        return classifier(x.flattenedBatch())
    }
}
