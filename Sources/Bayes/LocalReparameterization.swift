// LocalReparameterization.swift — the local reparameterization trick (Kingma, Salimans &
// Welling 2015), written once, for fully connected and convolutional layers.
//
// With independent Gaussian weights w ~ N(μ, σ²), a pre-activation b = Σ_i x_i w_i is itself
// Gaussian, so instead of sampling the weights we sample b directly:
//
//     mean     m = x · μ_W + μ_b                (the op applied to the means)
//     variance v = x² · σ_W² + σ_b²             (the op applied to squared inputs and variances)
//     output   b = m + √(v + δ) ⊙ ε,  ε ~ N(0, 1) per example and output unit
//
// Every example gets its own noise, so the gradient estimator's variance falls as 1/N with the
// batch size, and only the outputs (not the much larger weight tensor) need random numbers.
// δ = 1e-16 keeps the square root differentiable where v = 0.
//
// The fused ops below compute all of this with one pass of hand-written backward; the composed
// versions (built from primitive ops with autograd) are the reference the tests compare against.

import Foundation
import Engine

/// δ in √(v + δ).
public let localReparameterizationEpsilon: Float = 1e-16

/// Fused local reparameterization for a fully connected layer.
/// x [N, in], weight μ/σ [out, in], bias μ/σ [out] (or nil), noise ε [N, out] → [N, out].
public func localReparameterizationLinear(_ x: Tensor, weightMean: Tensor, weightSigma: Tensor,
                                          biasMean: Tensor?, biasSigma: Tensor?, noise epsilon: Tensor) -> Tensor {
    let xSquared = withoutGradient { square(x) }
    let weightVariance = withoutGradient { square(weightSigma) }
    let biasVariance = withoutGradient { biasSigma.map { square($0) } }
    let (mean, variance) = withoutGradient {
        (linear(x, weight: weightMean, bias: biasMean), linear(xSquared, weight: weightVariance, bias: biasVariance))
    }
    let (out, scale) = combineMeanAndVariance(mean, variance, epsilon)
    var inputs = [x, weightMean, weightSigma]
    if let biasMean, let biasSigma { inputs += [biasMean, biasSigma] }
    // Backward. forward: out = m + s ⊙ ε with s = √(v + δ), so
    //   dm = d out,   dv = d out ⊙ ε / (2 s);
    //   m = x μᵀ + μ_b   ⇒ dx += dm μ,        dμ = dmᵀ x,          dμ_b = Σ_n dm
    //   v = x² (σ²)ᵀ + σ_b² ⇒ dx += 2x ⊙ (dv σ²), dσ = 2σ ⊙ (dvᵀ x²), dσ_b = 2σ_b ⊙ Σ_n dv
    return out.recordingGradient(of: inputs) { g in
        let dMean = g
        let dVariance = varianceGradient(g, epsilon, scale)
        var grads: [Tensor?] = []
        grads.append(x.needsGradient
            ? matmul(dMean, weightMean) + 2 * x.detached() * matmul(dVariance, weightVariance) : nil)
        grads.append(weightMean.needsGradient ? matmul(dMean, x.detached(), transposeA: true) : nil)
        grads.append(weightSigma.needsGradient
            ? 2 * weightSigma.detached() * matmul(dVariance, xSquared, transposeA: true) : nil)
        if let biasMean, let biasSigma {
            grads.append(biasMean.needsGradient ? sum(dMean, axes: [0]) : nil)
            grads.append(biasSigma.needsGradient ? 2 * biasSigma.detached() * sum(dVariance, axes: [0]) : nil)
        }
        return grads
    }
}

/// The same computation from primitive ops; autograd derives its backward. The reference.
public func localReparameterizationLinearComposed(_ x: Tensor, weightMean: Tensor, weightSigma: Tensor,
                                                  biasMean: Tensor?, biasSigma: Tensor?, noise epsilon: Tensor) -> Tensor {
    let mean = linear(x, weight: weightMean, bias: biasMean)
    let variance = linear(square(x), weight: square(weightSigma), bias: biasSigma.map { square($0) })
    return mean + sqrt(variance + localReparameterizationEpsilon) * epsilon
}

/// out = m + s ⊙ ε with s = √(v + δ); returns out and s (kept for the backward pass).
func combineMeanAndVariance(_ mean: Tensor, _ variance: Tensor, _ epsilon: Tensor) -> (Tensor, Tensor) {
    precondition(mean.shape == epsilon.shape, "noise \(epsilon.shape) for output \(mean.shape)")
    let out = Tensor(uninitializedShape: mean.shape)
    let scale = Tensor(uninitializedShape: mean.shape)
    let (m, v, e, o, s) = (mean.data, variance.data, epsilon.data, out.data, scale.data)
    for i in 0..<out.count {
        s[i] = (v[i] + localReparameterizationEpsilon).squareRoot()
        o[i] = m[i] + s[i] * e[i]
    }
    return (out, scale)
}

/// dv = d out ⊙ ε / (2 s).
func varianceGradient(_ g: Tensor, _ epsilon: Tensor, _ scale: Tensor) -> Tensor {
    let dv = Tensor(uninitializedShape: g.shape)
    let (gp, e, s, d) = (g.data, epsilon.data, scale.data, dv.data)
    for i in 0..<g.count { d[i] = gp[i] * e[i] / (2 * s[i]) }
    return dv
}
