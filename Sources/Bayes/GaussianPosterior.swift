// GaussianPosterior.swift — the variational posterior of one weight tensor:
// q(w | θ) = N(μ, σ²) elementwise, with σ = softplus(ρ) = log(1 + e^ρ) so that σ > 0
// for any real ρ the optimizer chooses (Blundell et al. 2015, section 3.2).

import Foundation
import Engine
import NN

/// How the posterior parameters start: μ ~ N(meanMean, meanStd²), ρ ~ N(rhoMean, rhoStd²).
/// The reference implementation's default is μ ~ N(0, 0.1²), ρ ~ N(−5, 0.1²), i.e. σ ≈ 0.0067:
/// the net starts nearly deterministic and learns how much noise it can afford.
public struct PosteriorInitialization: Sendable {
    public var meanMean: Float, meanStd: Float, rhoMean: Float, rhoStd: Float

    public init(meanMean: Float = 0, meanStd: Float = 0.1, rhoMean: Float = -5, rhoStd: Float = 0.1) {
        (self.meanMean, self.meanStd, self.rhoMean, self.rhoStd) = (meanMean, meanStd, rhoMean, rhoStd)
    }

    public static let reference = PosteriorInitialization()
}

/// μ and ρ of one weight tensor.
public final class GaussianPosterior: Module {
    /// μ, the posterior mean.
    public let mean: Tensor
    /// ρ, the unconstrained scale parameter: σ = softplus(ρ).
    public let rho: Tensor

    /// The primitive initialiser, from given μ and ρ tensors (made trainable).
    public init(mean: Tensor, rho: Tensor) {
        precondition(mean.shape == rho.shape, "μ \(mean.shape) and ρ \(rho.shape) differ")
        mean.requiresGrad = true
        rho.requiresGrad = true
        self.mean = mean
        self.rho = rho
    }

    /// Random μ and ρ of a shape, drawn as `initialization` says.
    public convenience init(shape: [Int], initialization: PosteriorInitialization, generator: RandomGenerator) {
        self.init(mean: .randomNormal(shape, mean: initialization.meanMean, std: initialization.meanStd, generator: generator),
                  rho: .randomNormal(shape, mean: initialization.rhoMean, std: initialization.rhoStd, generator: generator))
    }

    public var shape: [Int] { mean.shape }

    /// σ = softplus(ρ), differentiable in ρ.
    public var sigma: Tensor { softplus(rho) }

    /// A reparameterised sample w = μ + σ ⊙ ε, differentiable in μ and ρ.
    public func sample(noise epsilon: Tensor) -> Tensor { mean + sigma * epsilon }

    /// KL(q ‖ p) of these weights: closed form for a Gaussian prior when asked, otherwise the
    /// Monte Carlo estimate at `sample` (drawn here if not given).
    public func kl(prior: Prior, method: KLMethod, sample w: Tensor?, generator: RandomGenerator) -> Tensor {
        if case let .gaussian(priorMean, priorSigma) = prior, method == .closedForm {
            return gaussianKL(posteriorMean: mean, posteriorSigma: sigma, priorMean: priorMean, priorSigma: priorSigma)
        }
        let sigma = self.sigma
        let w = w ?? (mean + sigma * standardNormal(shape, generator))
        return monteCarloKL(sample: w, posteriorMean: mean, posteriorSigma: sigma, prior: prior)
    }
}
