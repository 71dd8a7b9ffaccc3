// Priors.swift — prior distributions p(w) over weights, and their log densities.
//
// Shridhar et al. (2019) and their reference implementation use a Gaussian prior
// N(0, 0.1²) on every weight; Blundell et al. (2015) also use a scale mixture of two
// zero-mean Gaussians, π N(0, σ1²) + (1 − π) N(0, σ2²), whose narrow component pulls
// many weights to zero while the wide one lets a few grow.

import Foundation
import Engine
import NN   // halfLogTwoPi = ½ log 2π, shared with the Gaussian NLL losses

public enum Prior: Sendable, Equatable, CustomStringConvertible {
    /// N(mean, sigma²) on every weight.
    case gaussian(mean: Float, sigma: Float)
    /// π N(0, σ1²) + (1 − π) N(0, σ2²) (Blundell et al. 2015, eq. 7).
    case scaleMixture(pi: Float, sigma1: Float, sigma2: Float)

    /// The reference implementation's default: N(0, 0.1²).
    public static let reference = Prior.gaussian(mean: 0, sigma: 0.1)

    /// Σ_i log p(w_i), differentiable in `w`.
    public func logDensity(_ w: Tensor) -> Tensor {
        switch self {
        case let .gaussian(mean, sigma):
            return sum(gaussianLogDensity(w, mean: mean, sigma: sigma))
        case let .scaleMixture(pi, sigma1, sigma2):
            // log(π N1 + (1−π) N2) = logsumexp(log π + log N1, log(1−π) + log N2), stable when
            // both densities underflow for large |w|.
            let wide = gaussianLogDensity(w, mean: 0, sigma: sigma1) + Foundation.log(pi)
            let narrow = gaussianLogDensity(w, mean: 0, sigma: sigma2) + Foundation.log(1 - pi)
            let pair = stack([wide.reshaped([-1]), narrow.reshaped([-1])])
            return sum(logSumExp(pair, axis: 0))
        }
    }

    public var description: String {
        switch self {
        case let .gaussian(mean, sigma): "N(\(mean), \(sigma)²)"
        case let .scaleMixture(pi, sigma1, sigma2): "\(pi)·N(0, \(sigma1)²) + \(1 - pi)·N(0, \(sigma2)²)"
        }
    }
}

/// Elementwise log N(x; mean, sigma²) = −½ log 2π − log σ − (x − μ)² / 2σ², constant mean and sigma.
public func gaussianLogDensity(_ x: Tensor, mean: Float, sigma: Float) -> Tensor {
    let z = (x - mean) / sigma
    return square(z) * -0.5 - (halfLogTwoPi + Foundation.log(sigma))
}

/// Elementwise log N(x; mean, sigma²) with tensor mean and sigma (broadcasting).
public func gaussianLogDensity(_ x: Tensor, mean: Tensor, sigma: Tensor) -> Tensor {
    let z = (x - mean) / sigma
    return square(z) * -0.5 - log(sigma) - halfLogTwoPi
}
