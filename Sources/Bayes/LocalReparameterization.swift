// LocalReparameterization.swift — the local reparameterization trick (Kingma, Salimans &
// Welling 2015), written once for every affine layer type.
//
// With independent Gaussian weights w ~ N(μ, σ²), a pre-activation b = Σ_i x_i w_i is itself
// Gaussian, so instead of sampling the weights we sample b directly:
//
//     mean     m = A(x; μ_W) + μ_b              (the layer's map applied to the means)
//     variance v = A(x²; σ_W²) + σ_b²           (applied to squared inputs and variances)
//     output   b = m + √(v + δ) ⊙ ε,  ε ~ N(0, 1) per example and output unit
//
// A is a matrix product for a fully connected layer and a convolution for a convolutional one.
// Every example gets its own noise, so the gradient estimator's variance falls as 1/N with the
// batch size, and only the outputs (not the much larger weight tensor) need random numbers.
// δ = 1e-16 keeps the square root differentiable where v = 0.
//
// `localReparameterization` computes this in one fused pass with a hand-written backward; the
// composed version (primitive ops, autograd) is the reference the tests compare against.

import Foundation
import Engine

/// δ in √(v + δ).
public let localReparameterizationEpsilon: Float = 1e-16

/// An affine map y = A(x; W) + b and the kernels of its backward pass (no autograd involved), plus
/// the pair of maps local reparameterization needs, m = A(x; μ) + μ_b and v = A(x²; ν) + ν_b
/// (ν = σ²), and their backward. A layer type may fuse the pair (the convolution shares one im2col
/// between both); by default it is composed from the single kernels.
public struct AffineKernels: Sendable {
    public typealias PairForward = @Sendable (_ x: Tensor, _ weightMean: Tensor, _ weightVariance: Tensor,
                                              _ biasMean: Tensor?, _ biasVariance: Tensor?) -> (mean: Tensor, variance: Tensor)
    /// (dm, dv, x, μ, ν, wants dx, wants dμ and dν) → (dx, dμ, dν) with
    /// dx = Aᵀ_x(dm; μ) + 2x ⊙ Aᵀ_x(dv; ν),  dμ = Aᵀ_W(dm; x),  dν = Aᵀ_W(dv; x²).
    public typealias PairBackward = @Sendable (_ dMean: Tensor, _ dVariance: Tensor, _ x: Tensor, _ weightMean: Tensor,
                                               _ weightVariance: Tensor, _ inputGradient: Bool, _ weightGradients: Bool)
        -> (input: Tensor?, weightMean: Tensor?, weightVariance: Tensor?)

    public var forward: @Sendable (_ x: Tensor, _ weight: Tensor, _ bias: Tensor?) -> Tensor
    public var backwardInput: @Sendable (_ gradOutput: Tensor, _ weight: Tensor, _ inputShape: [Int]) -> Tensor
    public var backwardWeight: @Sendable (_ gradOutput: Tensor, _ input: Tensor, _ weightShape: [Int]) -> Tensor
    public var backwardBias: @Sendable (_ gradOutput: Tensor) -> Tensor
    public var meanAndVariance: PairForward
    public var meanAndVarianceBackward: PairBackward

    public init(forward: @escaping @Sendable (_ x: Tensor, _ weight: Tensor, _ bias: Tensor?) -> Tensor,
                backwardInput: @escaping @Sendable (_ gradOutput: Tensor, _ weight: Tensor, _ inputShape: [Int]) -> Tensor,
                backwardWeight: @escaping @Sendable (_ gradOutput: Tensor, _ input: Tensor, _ weightShape: [Int]) -> Tensor,
                backwardBias: @escaping @Sendable (_ gradOutput: Tensor) -> Tensor,
                meanAndVariance: PairForward? = nil, meanAndVarianceBackward: PairBackward? = nil) {
        (self.forward, self.backwardInput, self.backwardWeight, self.backwardBias) = (forward, backwardInput, backwardWeight, backwardBias)
        // The composed pair: each map applied on its own, x² made once.
        self.meanAndVariance = meanAndVariance ?? { x, mu, nu, muB, nuB in
            (forward(x, mu, muB), forward(withoutGradient { square(x) }, nu, nuB))
        }
        self.meanAndVarianceBackward = meanAndVarianceBackward ?? { dm, dv, x, mu, nu, wantsInput, wantsWeights in
            var dx: Tensor? = nil
            if wantsInput {
                dx = backwardInput(dm, mu, x.shape)
                addTwiceProduct(dx!, x, backwardInput(dv, nu, x.shape))
            }
            guard wantsWeights else { return (dx, nil, nil) }
            return (dx, backwardWeight(dm, x, mu.shape), backwardWeight(dv, withoutGradient { square(x) }, nu.shape))
        }
    }

    /// y = x Wᵀ + b with x [N, in], W [out, in].
    public static let linear = AffineKernels(
        forward: { x, w, b in withoutGradient { Engine.linear(x, weight: w, bias: b) } },
        backwardInput: { g, w, _ in withoutGradient { matmul(g, w) } },
        backwardWeight: { g, x, _ in withoutGradient { matmul(g, x, transposeA: true) } },
        backwardBias: { g in withoutGradient { sum(g, axes: [0]) } })

    /// y = conv2d(x, W) + b with x [N, C, H, W], W [OC, C, KH, KW]; the pair shares its im2col.
    public static func convolution(stride: Int, padding: Int) -> AffineKernels {
        AffineKernels(
            forward: { x, w, b in conv2dForward(x, weight: w, bias: b, stride: stride, padding: padding) },
            backwardInput: { g, w, shape in conv2dBackwardInput(g, weight: w, inputShape: shape, stride: stride, padding: padding) },
            backwardWeight: { g, x, shape in conv2dBackwardWeight(g, input: x, weightShape: shape, stride: stride, padding: padding) },
            backwardBias: { g in conv2dBackwardBias(g) },
            meanAndVariance: { x, mu, nu, muB, nuB in
                conv2dMeanAndVariance(x, meanWeight: mu, varianceWeight: nu, meanBias: muB, varianceBias: nuB,
                                      stride: stride, padding: padding)
            },
            meanAndVarianceBackward: { dm, dv, x, mu, nu, wantsInput, wantsWeights in
                let r = conv2dMeanAndVarianceBackward(dMean: dm, dVariance: dv, input: x, meanWeight: mu, varianceWeight: nu,
                                                      stride: stride, padding: padding,
                                                      inputGradient: wantsInput, weightGradients: wantsWeights)
                return (r.input, r.meanWeight, r.varianceWeight)
            })
    }
}

/// How many identical copies of one batch are stacked in the current forward pass: `predict` stacks
/// T copies to draw T Monte Carlo samples in one pass. The layer that sees the copies still
/// identical (the first Bayesian layer) computes m and v for one copy only — they do not depend
/// on the noise — and draws the T noises; the layers after it see different inputs per copy.
public enum StackedCopies {
    @TaskLocal public static var count = 1
}

/// Fused local reparameterization: m + √(v + δ) ⊙ ε with m = A(x; μ_W) + μ_b and
/// v = A(x²; σ_W²) + σ_b². Differentiable in x, μ_W, σ_W, μ_b, σ_b; `noise` ε has the output's shape.
public func localReparameterization(_ x: Tensor, kernels: AffineKernels, weightMean: Tensor, weightSigma: Tensor,
                                    biasMean: Tensor?, biasSigma: Tensor?, noise epsilon: Tensor) -> Tensor {
    if !GradientMode.isRecording, let rows = rowsOfOneCopy(x, copies: StackedCopies.count) {
        let one = x.slice(batch: 0..<rows)
        let (mean, variance) = kernels.meanAndVariance(one, weightMean, square(weightSigma), biasMean, biasSigma.map { square($0) })
        return combineMeanAndVariance(mean, variance, epsilon).0
    }
    let (weightVariance, biasVariance) = withoutGradient { (square(weightSigma), biasSigma.map { square($0) }) }
    let (mean, variance) = kernels.meanAndVariance(x, weightMean, weightVariance, biasMean, biasVariance)
    let (out, scale) = combineMeanAndVariance(mean, variance, epsilon)
    var inputs = [x, weightMean, weightSigma]
    if let biasMean, let biasSigma { inputs += [biasMean, biasSigma] }
    // Backward. forward: out = m + s ⊙ ε with s = √(v + δ), so
    //   dm = d out,   dv = d out ⊙ ε / (2 s);
    //   m = A(x; μ) + μ_b    ⇒ dx += Aᵀ_x(dm; μ),         dμ = Aᵀ_W(dm; x),          dμ_b = Σ dm
    //   v = A(x²; ν) + σ_b², ν = σ²
    //                        ⇒ dx += 2x ⊙ Aᵀ_x(dv; ν),    dσ = 2σ ⊙ Aᵀ_W(dv; x²),    dσ_b = 2σ_b ⊙ Σ dv
    // (`meanAndVarianceBackward` computes the dx sum and both Aᵀ_W in one pass where it can).
    return out.recordingGradient(of: inputs) { g in
        let dMean = g
        let dVariance = varianceGradient(g, epsilon, scale)
        let wantsWeights = weightMean.needsGradient || weightSigma.needsGradient
        let pair = kernels.meanAndVarianceBackward(dMean, dVariance, x.detached(), weightMean.detached(), weightVariance,
                                                   x.needsGradient, wantsWeights)
        var grads: [Tensor?] = [pair.input,
                                weightMean.needsGradient ? pair.weightMean : nil,
                                weightSigma.needsGradient ? 2 * weightSigma.detached() * pair.weightVariance! : nil]
        if let biasMean, let biasSigma {
            grads.append(biasMean.needsGradient ? kernels.backwardBias(dMean) : nil)
            grads.append(biasSigma.needsGradient ? 2 * biasSigma.detached() * kernels.backwardBias(dVariance) : nil)
        }
        return grads
    }
}

/// The same computation from primitive differentiable ops; autograd derives its backward.
/// `affine` must be the differentiable version of the map (`linear` or `conv2d`).
public func localReparameterizationComposed(_ x: Tensor, affine: (Tensor, Tensor, Tensor?) -> Tensor,
                                            weightMean: Tensor, weightSigma: Tensor,
                                            biasMean: Tensor?, biasSigma: Tensor?, noise epsilon: Tensor) -> Tensor {
    let mean = affine(x, weightMean, biasMean)
    let variance = affine(square(x), square(weightSigma), biasSigma.map { square($0) })
    return mean + sqrt(variance + localReparameterizationEpsilon) * epsilon
}

/// The number of rows in one copy when x is `copies` identical stacked copies of a batch, else nil.
func rowsOfOneCopy(_ x: Tensor, copies: Int) -> Int? {
    guard copies > 1, x.shape[0] % copies == 0 else { return nil }
    let rows = x.shape[0] / copies, values = x.count / copies
    for copy in 1..<copies where memcmp(x.data, x.data + copy * values, values * MemoryLayout<Float>.stride) != 0 {
        return nil
    }
    return rows
}

/// out = m + s ⊙ ε with s = √(v + δ); returns out and s (kept for the backward pass).
/// m and v may hold one copy of a batch whose stacked copies ε covers (the same m, v for each).
func combineMeanAndVariance(_ mean: Tensor, _ variance: Tensor, _ epsilon: Tensor) -> (Tensor, Tensor) {
    precondition(Array(mean.shape.dropFirst()) == Array(epsilon.shape.dropFirst()) && epsilon.shape[0] % mean.shape[0] == 0,
                 "noise \(epsilon.shape) for output \(mean.shape)")
    let out = Tensor(uninitializedShape: epsilon.shape)
    let scale = Tensor(uninitializedShape: epsilon.shape)
    let (m, v, e, o, s) = (mean.data, variance.data, epsilon.data, out.data, scale.data)
    let perCopy = Swift.max(mean.count, 1)
    parallelFor(out.count, costPerItem: 4) { range in
        var start = range.lowerBound
        while start < range.upperBound {                 // piece by piece within one copy
            let copyStart = start - start % perCopy
            let end = Swift.min(range.upperBound, copyStart + perCopy)
            let (m, v) = (m - copyStart, v - copyStart)   // m[i], v[i] now index the copy's values
            for i in start..<end {
                s[i] = (v[i] + localReparameterizationEpsilon).squareRoot()
                o[i] = m[i] + s[i] * e[i]
            }
            start = end
        }
    }
    return (out, scale)
}

/// dv = d out ⊙ ε / (2 s).
func varianceGradient(_ g: Tensor, _ epsilon: Tensor, _ scale: Tensor) -> Tensor {
    let dv = Tensor(uninitializedShape: g.shape)
    let (gp, e, s, d) = (g.data, epsilon.data, scale.data, dv.data)
    parallelFor(g.count, costPerItem: 4) { range in
        for i in range { d[i] = gp[i] * e[i] / (2 * s[i]) }
    }
    return dv
}
