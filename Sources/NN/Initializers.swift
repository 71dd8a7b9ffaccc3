// Initializers.swift — the random starting values of weights.
//
// Contract: every initializer returns a fresh tensor filled from the given generator, so a
// seed fixes the whole network. The defaults of `Linear`, `Conv2d` and `ConvTranspose2d`
// follow PyTorch (`reset_parameters`), so that a network here starts from the same
// distribution as its PyTorch twin:
//   weight ~ kaiming_uniform(a = √5)  ⇒  U(−1/√fanIn, 1/√fanIn),
//   bias   ~ U(−1/√fanIn, 1/√fanIn).
//
// Fans follow PyTorch's `_calculate_fan_in_and_fan_out`: for a weight of shape
// [d0, d1, k…], fanIn = d1·Πk and fanOut = d0·Πk. For a transposed convolution, whose weight
// is [Cin, Cout, KH, KW], this makes "fanIn" = Cout·KH·KW — PyTorch's quirk, kept on purpose.

import Engine
import Foundation

/// Whether an initializer preserves the variance of activations (forward) or of gradients (backward).
public enum FanMode: Sendable {
    /// Scale by the number of inputs of a unit: keeps activation variance through the forward pass.
    case fanIn
    /// Scale by the number of outputs of a unit: keeps gradient variance through the backward pass.
    case fanOut
}

/// The nonlinearity that follows a layer, which sets the gain of Kaiming initialisation.
public enum Nonlinearity: Sendable {
    case linear, sigmoid, tanh, relu
    /// Leaky ReLU with the given negative slope.
    case leakyRelu(slope: Float)

    /// The recommended gain (PyTorch's `calculate_gain`): the factor by which the nonlinearity
    /// shrinks the standard deviation of its input, inverted.
    public var gain: Float {
        switch self {
        case .linear, .sigmoid: return 1
        case .tanh: return 5.0 / 3.0
        case .relu: return Foundation.sqrt(2)
        // gain² = 2 / (1 + a²): half the inputs are scaled by a instead of zeroed.
        case .leakyRelu(let slope): return Foundation.sqrt(2 / (1 + slope * slope))
        }
    }
}

/// (fanIn, fanOut) of a weight of shape [out, in, k…] (PyTorch's convention, see the file header).
public func fans(of shape: [Int]) -> (fanIn: Int, fanOut: Int) {
    precondition(shape.count >= 2, "fans need a weight of rank ≥ 2, got \(shape)")
    let receptiveField = shape.dropFirst(2).reduce(1, *)
    return (shape[1] * receptiveField, shape[0] * receptiveField)
}

/// Glorot & Bengio (2010): U(−b, b) with b = gain·√(6 / (fanIn + fanOut)), so that
/// Var = gain²·2 / (fanIn + fanOut), the compromise between forward and backward variance.
public func xavierUniform(_ shape: [Int], gain: Float = 1, generator: RandomGenerator) -> Tensor {
    let (fanIn, fanOut) = fans(of: shape)
    let bound = gain * Foundation.sqrt(6 / Float(fanIn + fanOut))
    return Tensor.randomUniform(shape, low: -bound, high: bound, generator: generator)
}

/// Glorot & Bengio (2010): N(0, σ²) with σ = gain·√(2 / (fanIn + fanOut)).
public func xavierNormal(_ shape: [Int], gain: Float = 1, generator: RandomGenerator) -> Tensor {
    let (fanIn, fanOut) = fans(of: shape)
    let std = gain * Foundation.sqrt(2 / Float(fanIn + fanOut))
    return Tensor.randomNormal(shape, mean: 0, std: std, generator: generator)
}

/// He et al. (2015): U(−b, b) with b = √3·gain/√fan, so that Var = gain² / fan.
/// - Parameters:
///   - a: the negative slope of the leaky ReLU that follows (used when `nonlinearity` is
///     `.leakyRelu`, PyTorch's default; a = 0 is plain ReLU).
///   - mode: which fan keeps its variance (default `.fanIn`).
///   - nonlinearity: default leaky ReLU with slope `a`, as in PyTorch.
public func kaimingUniform(_ shape: [Int], a: Float = 0, mode: FanMode = .fanIn,
                           nonlinearity: Nonlinearity? = nil, generator: RandomGenerator) -> Tensor {
    let std = kaimingStd(shape, a: a, mode: mode, nonlinearity: nonlinearity)
    let bound = Foundation.sqrt(3) * std
    return Tensor.randomUniform(shape, low: -bound, high: bound, generator: generator)
}

/// He et al. (2015): N(0, σ²) with σ = gain/√fan. Parameters as in `kaimingUniform`.
public func kaimingNormal(_ shape: [Int], a: Float = 0, mode: FanMode = .fanIn,
                          nonlinearity: Nonlinearity? = nil, generator: RandomGenerator) -> Tensor {
    let std = kaimingStd(shape, a: a, mode: mode, nonlinearity: nonlinearity)
    return Tensor.randomNormal(shape, mean: 0, std: std, generator: generator)
}

func kaimingStd(_ shape: [Int], a: Float, mode: FanMode, nonlinearity: Nonlinearity?) -> Float {
    let (fanIn, fanOut) = fans(of: shape)
    let fan = mode == .fanIn ? fanIn : fanOut
    let gain = (nonlinearity ?? .leakyRelu(slope: a)).gain
    return gain / Foundation.sqrt(Float(fan))
}

/// N(mean, std²) values (the Bayesian layers' posterior means often start this way).
public func normalInitialization(_ shape: [Int], mean: Float = 0, std: Float = 1,
                                 generator: RandomGenerator) -> Tensor {
    Tensor.randomNormal(shape, mean: mean, std: std, generator: generator)
}

/// PyTorch's default initialisation of a `Linear` / `Conv2d` / `ConvTranspose2d` layer:
/// weight from `kaimingUniform(a: √5)` — which works out to U(−1/√fanIn, 1/√fanIn) — and
/// bias from U(−1/√fanIn, 1/√fanIn), with fanIn computed from the weight's shape.
/// Both are returned with `requiresGrad = true`.
public func defaultLayerInitialization(weightShape: [Int], biasCount: Int?,
                                       generator: RandomGenerator) -> (weight: Tensor, bias: Tensor?) {
    let weight = kaimingUniform(weightShape, a: Foundation.sqrt(5), generator: generator)
    weight.requiresGrad = true
    guard let biasCount else { return (weight, nil) }
    let fanIn = fans(of: weightShape).fanIn
    let bound = fanIn > 0 ? 1 / Foundation.sqrt(Float(fanIn)) : 0
    let bias = Tensor.randomUniform([biasCount], low: -bound, high: bound, generator: generator, requiresGrad: true)
    return (weight, bias)
}
