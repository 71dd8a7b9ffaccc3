// Architecture.swift — the classification models by name, for command-line options.

import Engine
import NN

public enum Architecture: String, Sendable, CaseIterable, CustomStringConvertible {
    case lenet5 = "lenet5"
    case alexnet = "alexnet"
    case alexnetHalf = "alexnet-half"
    case threeConvThreeFC = "3conv3fc"

    public var description: String {
        switch self {
        case .lenet5: "LeNet-5"
        case .alexnet: "AlexNet"
        case .alexnetHalf: "AlexNetHalf"
        case .threeConvThreeFC: "3Conv3FC"
        }
    }

    /// A fresh model of this architecture.
    public func make(classes: Int, inputChannels: Int, activation: Activation = .softplus, layers: LayerFactory) -> Module {
        switch self {
        case .lenet5: LeNet5(classes: classes, inputChannels: inputChannels, activation: activation, layers: layers)
        case .alexnet: AlexNet(classes: classes, inputChannels: inputChannels, activation: activation, layers: layers)
        case .alexnetHalf: AlexNet(classes: classes, inputChannels: inputChannels, widthDivisor: 2, activation: activation, layers: layers)
        case .threeConvThreeFC: ThreeConvThreeFC(classes: classes, inputChannels: inputChannels, activation: activation, layers: layers)
        }
    }
}
