// LayerFactory.swift — one architecture definition, two kinds of network.
//
// Every model in this module is written once, with its layers made by a `LayerFactory`: the
// same LeNet-5 becomes a frequentist net (point-estimate weights, `Conv2d`/`Linear`) or a
// Bayesian one (Gaussian posteriors, `BayesConv2d`/`BayesLinear`) — the comparison the paper
// is about, with nothing else allowed to differ.

import Engine
import NN
import Bayes

/// The nonlinearity between layers. The reference implementation uses softplus by default
/// (smooth, so the variance path of local reparameterization never sees a kink), ReLU optionally.
public enum Activation: String, Sendable, CaseIterable {
    case softplus, relu

    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .softplus: Engine.softplus(x)
        case .relu: Engine.relu(x)
        }
    }
}

/// What a Bayesian layer needs besides its shape.
public struct VariationalSettings: Sendable {
    public var estimator: Estimator
    public var prior: Prior
    public var initialization: PosteriorInitialization
    public var klMethod: KLMethod

    /// Defaults of the reference implementation: local reparameterization, prior N(0, 0.1²),
    /// μ ~ N(0, 0.1²), ρ ~ N(−5, 0.1²), closed-form KL.
    public init(estimator: Estimator = .localReparameterization, prior: Prior = .reference,
                initialization: PosteriorInitialization = .reference, klMethod: KLMethod = .closedForm) {
        self.estimator = estimator
        self.prior = prior
        self.initialization = initialization
        self.klMethod = klMethod
    }
}

/// Frequentist or Bayesian.
public enum NetworkKind: Sendable {
    case frequentist
    case bayesian(VariationalSettings)

    public var isBayesian: Bool { if case .bayesian = self { true } else { false } }
}

/// Makes the weight layers of a model, all of one kind, from one random stream.
public struct LayerFactory {
    public let kind: NetworkKind
    public let generator: RandomGenerator

    public init(_ kind: NetworkKind, generator: RandomGenerator) {
        self.kind = kind
        self.generator = generator
    }

    /// A square-kernel 2-D convolution.
    public func convolution(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0) -> Module {
        switch kind {
        case .frequentist:
            Conv2d(inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding, generator: generator)
        case let .bayesian(settings):
            BayesConv2d(inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding,
                        prior: settings.prior, estimator: settings.estimator, klMethod: settings.klMethod,
                        initialization: settings.initialization, generator: generator)
        }
    }

    /// A fully connected layer.
    public func linear(_ inFeatures: Int, _ outFeatures: Int) -> Module {
        switch kind {
        case .frequentist:
            Linear(inFeatures, outFeatures, generator: generator)
        case let .bayesian(settings):
            BayesLinear(inFeatures, outFeatures, prior: settings.prior, estimator: settings.estimator,
                        klMethod: settings.klMethod, initialization: settings.initialization, generator: generator)
        }
    }
}
