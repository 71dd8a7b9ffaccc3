// Layers.swift — the deterministic dense layers and activations as modules.
//
// Contract: layers keep PyTorch's parameter layouts (Linear weight [out, in]) and default
// initialisation, so weights move between the two through safetensors checkpoints. Every
// layer has a primitive initialiser that takes its tensors and a convenient one that takes
// sizes and a generator.
//
// Shapes: N batch, F features (Fin inputs, Fout outputs).

import Engine

/// A fully connected layer, y = x Wᵀ + b.
public final class Linear: Module {
    /// [Fout, Fin]
    public let weight: Tensor
    /// [Fout], or nil for a layer without bias.
    public let bias: Tensor?

    /// A layer over the given tensors (they are used as they are, not copied).
    /// - Parameters:
    ///   - weight: [Fout, Fin]; marked `requiresGrad`.
    ///   - bias: [Fout] or nil; marked `requiresGrad`.
    public init(weight: Tensor, bias: Tensor?) {
        precondition(weight.rank == 2, "Linear weight must be [out, in], got \(weight.shape)")
        precondition(bias == nil || bias!.shape == [weight.shape[0]],
                     "Linear bias \(bias!.shape) for weight \(weight.shape)")
        weight.requiresGrad = true
        bias?.requiresGrad = true
        self.weight = weight
        self.bias = bias
    }

    /// A layer with PyTorch's default initialisation: W, b ~ U(−1/√Fin, 1/√Fin).
    /// - Parameters:
    ///   - inFeatures: Fin.
    ///   - outFeatures: Fout.
    ///   - bias: whether the layer adds a bias (default true).
    ///   - generator: the random stream the weights are drawn from.
    public convenience init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, generator: RandomGenerator) {
        let (w, b) = defaultLayerInitialization(weightShape: [outFeatures, inFeatures],
                                                biasCount: bias ? outFeatures : nil, generator: generator)
        self.init(weight: w, bias: b)
    }

    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    /// x: [N, Fin] (or [N, …, Fin]: leading axes are treated as batch) → [N, Fout] (or [N, …, Fout]).
    override public func forward(_ x: Tensor) -> Tensor {
        if x.rank == 2 { return linear(x, weight: weight, bias: bias) }
        precondition(x.rank >= 1 && x.shape.last == inFeatures, "Linear(\(inFeatures) → \(outFeatures)) got \(x.shape)")
        let y = linear(x.reshaped([-1, inFeatures]), weight: weight, bias: bias)
        return y.reshaped(Array(x.shape.dropLast()) + [outFeatures])
    }
}

/// [N, …] → [N, product of the rest]: between convolutional and dense layers.
public final class Flatten: Module {
    override public init() {}
    override public func forward(_ x: Tensor) -> Tensor { x.flattenedBatch() }
}

/// max(x, 0).
public final class ReLU: Module {
    override public init() {}
    override public func forward(_ x: Tensor) -> Tensor { relu(x) }
}

/// x for x > 0, slope·x otherwise.
public final class LeakyReLU: Module {
    public let slope: Float
    /// - Parameter slope: the negative slope (default 0.01, as in PyTorch).
    public init(slope: Float = 0.01) { self.slope = slope }
    override public func forward(_ x: Tensor) -> Tensor { leakyRelu(x, slope: slope) }
}

/// log(1 + eˣ), the smooth ReLU the paper uses in its Bayesian networks.
public final class Softplus: Module {
    override public init() {}
    override public func forward(_ x: Tensor) -> Tensor { softplus(x) }
}

/// 1 / (1 + e⁻ˣ).
public final class Sigmoid: Module {
    override public init() {}
    override public func forward(_ x: Tensor) -> Tensor { sigmoid(x) }
}

/// tanh x.
public final class Tanh: Module {
    override public init() {}
    override public func forward(_ x: Tensor) -> Tensor { tanh(x) }
}
