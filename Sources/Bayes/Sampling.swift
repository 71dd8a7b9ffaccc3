// Sampling.swift — how a Bayesian layer draws its noise, chosen explicitly and separately
// from train/eval mode (a trained net is often evaluated *with* sampling, to get uncertainty).

import Engine
import NN

public enum SamplingMode: Sendable, Equatable {
    /// Fresh noise on every forward pass, from the run's random stream.
    case sample
    /// No noise: weights at their posterior means μ (the "MAP-like" point prediction).
    case mean
    /// The same noise on every forward pass (for gradient-variance studies and tests).
    case fixed(seed: UInt64)
}

/// The gradient estimator a Bayesian layer uses to sample its outputs.
public enum Estimator: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Bayes by Backprop (Blundell et al. 2015): sample W = μ + σ ⊙ ε once per forward pass,
    /// shared by the whole minibatch.
    case weightSampling = "bbb"
    /// Local reparameterization (Kingma, Salimans & Welling 2015): sample the pre-activations,
    /// whose Gaussian mean and variance follow from those of the weights; independent noise
    /// per example and output unit.
    case localReparameterization = "lrt"
    /// Flipout (Wen et al. 2018): one weight perturbation, decorrelated across the minibatch by
    /// random sign flips of its inputs and outputs.
    case flipout = "flipout"

    public var description: String { rawValue }
}

/// A Bayesian layer: it knows its KL term after a forward pass and can change its sampling mode.
public protocol BayesianLayer: AnyObject {
    /// KL(q ‖ p) of this layer's weights, as computed in the last forward pass.
    var layerKL: Tensor? { get }
    var sampling: SamplingMode { get set }
    var estimator: Estimator { get }
}

extension Module {
    /// Σ KL(q ‖ p) over every Bayesian layer of this model, from the last forward pass
    /// (0 for a frequentist net).
    public var kl: Tensor {
        let terms = allModules.compactMap { ($0 as? BayesianLayer)?.layerKL }
        return terms.dropFirst().reduce(terms.first ?? Tensor(scalar: 0)) { $0 + $1 }
    }

    /// Sets the sampling mode of every Bayesian layer of this model.
    public func setSampling(_ mode: SamplingMode) {
        for case let layer as BayesianLayer in allModules { layer.sampling = mode }
    }

    /// The Bayesian layers of this model, in order.
    public var bayesianLayers: [BayesianLayer] { allModules.compactMap { $0 as? BayesianLayer } }
}

/// Draws noise according to a sampling mode. For `.fixed`, each layer mixes in its own salt so
/// that two layers with the same seed still get different noise.
struct NoiseSource {
    let generator: RandomGenerator
    let salt: UInt64

    func generator(for mode: SamplingMode) -> RandomGenerator {
        switch mode {
        case .sample, .mean: generator
        case let .fixed(seed): RandomGenerator(seed: seed ^ salt)
        }
    }
}

/// Standard normal noise of a shape.
func standardNormal(_ shape: [Int], _ generator: RandomGenerator) -> Tensor {
    Tensor.randomNormal(shape, generator: generator)
}

/// Random signs ±1 of a shape (Flipout's perturbation signs).
func randomSigns(_ shape: [Int], _ generator: RandomGenerator) -> Tensor {
    let t = Tensor(uninitializedShape: shape)
    var bits: UInt64 = 0
    for i in 0..<t.count {
        if i % 64 == 0 { bits = generator.next() }
        t.data[i] = (bits >> UInt64(i % 64)) & 1 == 1 ? 1 : -1
    }
    return t
}
