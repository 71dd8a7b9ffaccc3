// Uncertainty.swift — what a Bayesian classifier does not know, from T Monte Carlo predictions.
// Every uncertainty formula of the suite is here, once.
//
// Shapes: T Monte Carlo samples, N examples, C classes. The input is the [T, N, C] tensor of
// class-probability vectors p̂_t that `predict` returns (or logits of that shape, turned into
// probabilities by one of the two methods below). p̄ = (1/T) Σ_t p̂_t is the predictive mean.
//
// Two decompositions of the predictive uncertainty:
//
// 1. Variance (Kwon et al. 2018, "Uncertainty quantification using Bayesian neural networks in
//    classification", eq. 4; used by Shridhar et al. 2019, section 6). The predictive covariance
//    of the one-hot label y splits into
//        Var[y] = diag(p̄) − p̄ p̄ᵀ
//               = (1/T) Σ_t [diag(p̂_t) − p̂_t p̂_tᵀ]        aleatoric: noise in the data
//               + (1/T) Σ_t (p̂_t − p̄)(p̂_t − p̄)ᵀ          epistemic: spread of the model
//    Per class c the diagonals are
//        aleatoric_c = (1/T) Σ_t p̂_tc (1 − p̂_tc),   epistemic_c = (1/T) Σ_t (p̂_tc − p̄_c)²,
//    and their sum is p̄_c (1 − p̄_c) exactly (the total-variance identity; tested).
//
// 2. Information (Houlsby et al. 2011; Gal 2016; Depeweg et al. 2018). With the entropy
//    H[p] = −Σ_c p_c log p_c (nats, 0 log 0 = 0):
//        predictive entropy  H[p̄]
//      = expected entropy    (1/T) Σ_t H[p̂_t]                 aleatoric
//      + mutual information  H[p̄] − (1/T) Σ_t H[p̂_t] ≥ 0      epistemic (BALD)
//
// Two ways of turning logits z_t into p̂_t, as in the reference implementation:
//   softmax:     p̂_t = softmax(z_t)
//   normalized:  p̂_t = softplus(z_t) / Σ_k softplus(z_t,k)     (Shridhar et al. 2018, eq. 15)

import Foundation
import Engine
import NN

/// How logits become the probability vectors p̂_t of the uncertainty formulas.
public enum ProbabilityMethod: String, Sendable, CaseIterable, CustomStringConvertible {
    /// p̂ = softmax(z).
    case softmax
    /// p̂ = softplus(z) / Σ_k softplus(z_k) (Shridhar et al. 2018): the reference's 'normalized'.
    case normalized

    public var description: String { rawValue }
}

/// Class probabilities from logits of any shape, along the last axis, by `method`.
public func classProbabilities(logits: Tensor, method: ProbabilityMethod) -> Tensor {
    switch method {
    case .softmax:
        return softmax(logits, axis: -1)
    case .normalized:
        let positive = softplus(logits)
        return positive / sum(positive, axes: [logits.rank - 1], keepDims: true)
    }
}

/// Kwon et al.'s split of the predictive variance, per example and class.
public struct VarianceDecomposition {
    /// p̄, the Monte Carlo predictive mean: [N, C].
    public let predictive: Tensor
    /// diag of (1/T) Σ_t [diag(p̂_t) − p̂_t p̂_tᵀ]: (1/T) Σ_t p̂_tc (1 − p̂_tc), [N, C].
    public let aleatoric: Tensor
    /// diag of (1/T) Σ_t (p̂_t − p̄)(p̂_t − p̄)ᵀ: (1/T) Σ_t (p̂_tc − p̄_c)², [N, C].
    public let epistemic: Tensor
    /// argmax_c p̄_c per example.
    public let predictedClass: [Int]

    /// Σ_c aleatoric_c (the trace of the aleatoric matrix), per example.
    public var aleatoricTrace: [Float] { rowSums(aleatoric) }
    /// Σ_c epistemic_c (the trace of the epistemic matrix), per example.
    public var epistemicTrace: [Float] { rowSums(epistemic) }
    /// aleatoric at the predicted class, per example.
    public var aleatoricAtPrediction: [Float] { valuesAt(predictedClass, aleatoric) }
    /// epistemic at the predicted class, per example.
    public var epistemicAtPrediction: [Float] { valuesAt(predictedClass, epistemic) }
}

/// The variance decomposition of T Monte Carlo probability vectors [T, N, C].
public func varianceDecomposition(probabilities p: Tensor) -> VarianceDecomposition {
    let (t, n, c) = monteCarloShape(p)
    let mean = Tensor(zeros: [n, c]), aleatoric = Tensor(zeros: [n, c]), epistemic = Tensor(zeros: [n, c])
    let (pt, pbar, ale, epi) = (p.data, mean.data, aleatoric.data, epistemic.data)
    for s in 0..<t {
        for i in 0..<(n * c) { pbar[i] += pt[s * n * c + i] / Float(t) }
    }
    for s in 0..<t {
        for i in 0..<(n * c) {
            let q = pt[s * n * c + i], gap = q - pbar[i]
            ale[i] += q * (1 - q) / Float(t)
            epi[i] += gap * gap / Float(t)
        }
    }
    return VarianceDecomposition(predictive: mean, aleatoric: aleatoric, epistemic: epistemic, predictedClass: argmax(mean))
}

/// The variance decomposition of T Monte Carlo logit vectors [T, N, C], made probabilities by `method`.
public func varianceDecomposition(logits: Tensor, method: ProbabilityMethod) -> VarianceDecomposition {
    varianceDecomposition(probabilities: withoutGradient { classProbabilities(logits: logits, method: method) })
}

/// The full C × C matrices of Kwon et al. for one example n of [T, N, C] probabilities:
/// aleatoric (1/T) Σ_t [diag(p̂_t) − p̂_t p̂_tᵀ] and epistemic (1/T) Σ_t (p̂_t − p̄)(p̂_t − p̄)ᵀ, each [C, C].
public func varianceMatrices(probabilities p: Tensor, example n: Int) -> (aleatoric: Tensor, epistemic: Tensor) {
    let (t, count, c) = monteCarloShape(p)
    precondition(n >= 0 && n < count, "example \(n) out of \(count)")
    let aleatoric = Tensor(zeros: [c, c]), epistemic = Tensor(zeros: [c, c])
    let row = { (s: Int) in p.data + (s * count + n) * c }
    var pbar = [Float](repeating: 0, count: c)
    for s in 0..<t { for k in 0..<c { pbar[k] += row(s)[k] / Float(t) } }
    for s in 0..<t {
        let q = row(s)
        for j in 0..<c {
            for k in 0..<c {
                aleatoric.data[j * c + k] += ((j == k ? q[j] : 0) - q[j] * q[k]) / Float(t)
                epistemic.data[j * c + k] += (q[j] - pbar[j]) * (q[k] - pbar[k]) / Float(t)
            }
        }
    }
    return (aleatoric, epistemic)
}

/// The information-theoretic split of the predictive entropy, per example (nats).
public struct InformationDecomposition {
    /// H[p̄], the total uncertainty.
    public let predictiveEntropy: [Float]
    /// (1/T) Σ_t H[p̂_t], the aleatoric part.
    public let expectedEntropy: [Float]
    /// H[p̄] − (1/T) Σ_t H[p̂_t] ≥ 0, the epistemic part (mutual information between y and w).
    public var mutualInformation: [Float] { zip(predictiveEntropy, expectedEntropy).map { Swift.max($0 - $1, 0) } }
}

/// The entropy split of T Monte Carlo probability vectors [T, N, C].
public func informationDecomposition(probabilities p: Tensor) -> InformationDecomposition {
    let (t, n, c) = monteCarloShape(p)
    var predictive = [Float](repeating: 0, count: n), expected = [Float](repeating: 0, count: n)
    var pbar = [Float](repeating: 0, count: c)
    for i in 0..<n {
        for k in 0..<c { pbar[k] = 0 }
        for s in 0..<t {
            let q = UnsafeBufferPointer(start: p.data + (s * n + i) * c, count: c)
            expected[i] += entropy(q) / Float(t)
            for k in 0..<c { pbar[k] += q[k] / Float(t) }
        }
        predictive[i] = pbar.withUnsafeBufferPointer { entropy($0) }
    }
    return InformationDecomposition(predictiveEntropy: predictive, expectedEntropy: expected)
}

/// The entropy split of T Monte Carlo logit vectors [T, N, C], made probabilities by `method`.
public func informationDecomposition(logits: Tensor, method: ProbabilityMethod) -> InformationDecomposition {
    informationDecomposition(probabilities: withoutGradient { classProbabilities(logits: logits, method: method) })
}

/// H[p] = −Σ_c p_c log p_c, with 0 log 0 = 0 (the limit), in nats.
public func entropy(_ p: UnsafeBufferPointer<Float>) -> Float {
    var h: Float = 0
    for q in p where q > 0 { h -= q * Foundation.log(q) }
    return h
}

// MARK: Helpers

func monteCarloShape(_ p: Tensor) -> (t: Int, n: Int, c: Int) {
    precondition(p.rank == 3, "Monte Carlo predictions must be [T, N, C], got \(p.shape)")
    return (p.shape[0], p.shape[1], p.shape[2])
}

func rowSums(_ x: Tensor) -> [Float] {
    let (n, c) = (x.shape[0], x.shape[1])
    return (0..<n).map { i in (0..<c).reduce(Float(0)) { $0 + x.data[i * c + $1] } }
}

func valuesAt(_ columns: [Int], _ x: Tensor) -> [Float] {
    let c = x.shape[1]
    return columns.enumerated().map { i, k in x.data[i * c + k] }
}
