// KLDivergence.swift — the complexity cost of the ELBO: KL(q(w|θ) ‖ p(w)).
//
// For a factorised Gaussian posterior q = N(μ_q, σ_q²) and Gaussian prior p = N(μ_p, σ_p²),
// per weight (Kingma & Welling 2014, appendix B):
//
//     KL(q ‖ p) = log(σ_p / σ_q) + (σ_q² + (μ_q − μ_p)²) / (2 σ_p²) − ½
//
// The direction matters: the ELBO contains KL(q ‖ p), the expectation under the posterior.
// The reference implementation (PyTorch-BayesianCNN, `calculate_kl(prior_mu, prior_sigma,
// W_mu, W_sigma)`) passes the prior in the posterior's place and so computes KL(p ‖ q);
// this suite does not.
//
// For priors without a closed form (the scale mixture) the KL is estimated by Monte Carlo at
// a weight sample w ~ q, as Blundell et al. (2015) do: KL ≈ log q(w) − log p(w).

import Foundation
import Engine

/// Closed-form Σ KL(N(μ_q, σ_q²) ‖ N(μ_p, σ_p²)) over all elements, differentiable in μ_q and σ_q.
public func gaussianKL(posteriorMean mu: Tensor, posteriorSigma sigma: Tensor,
                       priorMean priorMu: Float, priorSigma: Float) -> Tensor {
    let variance = square(sigma)
    let meanGap = square(mu - priorMu)
    let perWeight = (Foundation.log(priorSigma) - log(sigma)) + (variance + meanGap) / (2 * priorSigma * priorSigma) - 0.5
    return sum(perWeight)
}

/// Monte Carlo estimate log q(w) − log p(w) at one sample w ~ q = N(μ, σ²).
public func monteCarloKL(sample w: Tensor, posteriorMean mu: Tensor, posteriorSigma sigma: Tensor,
                         prior: Prior) -> Tensor {
    sum(gaussianLogDensity(w, mean: mu, sigma: sigma)) - prior.logDensity(w)
}

/// How a Bayesian layer computes its KL term.
public enum KLMethod: Sendable, Equatable {
    /// The closed form (Gaussian prior only; falls back to Monte Carlo for other priors).
    case closedForm
    /// log q(w) − log p(w) at a weight sample.
    case monteCarlo
}
