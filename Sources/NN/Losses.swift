// Losses.swift — the training objectives, as differentiable functions returning a scalar.
//
// Contract: every loss is stable for any finite input (logits of ±1e4 give finite values and
// gradients). Classification losses are fused kernels whose pullback is written under the
// forward rule; the others are one-liners over Engine primitives.
//
// Shapes: N batch, C classes.

import Engine
import Foundation

/// How per-example losses are combined.
public enum Reduction: Sendable {
    /// The average over examples (and elements): PyTorch's default.
    case mean
    /// The total.
    case sum
    /// No reduction: one loss per example ([N]), or per element for element-wise losses.
    case perExample
}

/// Combines per-element losses by `reduction`.
func reduce(_ losses: Tensor, _ reduction: Reduction) -> Tensor {
    switch reduction {
    case .mean: return mean(losses)
    case .sum: return sum(losses)
    case .perExample: return losses
    }
}

// MARK: - Classification

/// Cross-entropy of integer labels under softmax(logits), fused with the log-softmax:
///   loss_n = −log softmax(x_n)[y_n] = logsumexp(x_n) − x_n[y_n],
/// with logsumexp computed as m + log Σ exp(x − m), m = max x_n, so nothing overflows.
/// - Parameters:
///   - logits: [N, C] unnormalised scores.
///   - labels: N class indices in 0..<C.
///   - reduction: `.mean` (default) over N, `.sum`, or `.perExample` ([N]).
public func crossEntropy(logits: Tensor, labels: [Int], reduction: Reduction = .mean) -> Tensor {
    precondition(logits.rank == 2 && logits.shape[0] == labels.count,
                 "crossEntropy: logits \(logits.shape) for \(labels.count) labels")
    let (n, c) = (logits.shape[0], logits.shape[1])
    let losses = Tensor(uninitializedShape: [n])
    // softmax rows are kept for the pullback: p = exp(x − logsumexp).
    let probabilities = Tensor(uninitializedShape: [n, c])
    let (x, p, l) = (logits.data, probabilities.data, losses.data)
    for row in 0..<n {
        let label = labels[row]
        precondition(label >= 0 && label < c, "crossEntropy: label \(label) outside 0..<\(c)")
        let (xr, pr) = (x + row * c, p + row * c)
        var m = -Float.infinity
        for k in 0..<c { m = Swift.max(m, xr[k]) }
        var total: Float = 0
        for k in 0..<c { let e = Foundation.exp(xr[k] - m); pr[k] = e; total += e }
        let inverse = 1 / total
        for k in 0..<c { pr[k] *= inverse }
        l[row] = (m + Foundation.log(total)) - xr[label]
    }
    let out: Tensor
    let scale: Float
    switch reduction {
    case .mean: out = Tensor(scalar: losses.buffer.reduce(0, +) / Float(Swift.max(n, 1))); scale = 1 / Float(Swift.max(n, 1))
    case .sum: out = Tensor(scalar: losses.buffer.reduce(0, +)); scale = 1
    case .perExample: out = losses; scale = 1
    }
    // d loss_n / d x_n = softmax(x_n) − onehot(y_n), times the upstream gradient of that
    // example (one shared value for .mean/.sum, scaled by 1/N for the mean).
    return out.recordingGradient(of: [logits]) { g in
        let dx = Tensor(uninitializedShape: [n, c])
        let (gp, p, d) = (g.data, probabilities.data, dx.data)
        for row in 0..<n {
            let gRow = (reduction == .perExample ? gp[row] : gp[0]) * scale
            let (pr, dr) = (p + row * c, d + row * c)
            for k in 0..<c { dr[k] = gRow * pr[k] }
            dr[labels[row]] -= gRow
        }
        return [dx]
    }
}

/// Negative log-likelihood of integer labels given log-probabilities:
///   loss_n = −logProbabilities[n, y_n].
/// For networks that output log-probabilities themselves (e.g. a Monte Carlo average of
/// softmax outputs, taken to the log). `crossEntropy` = this ∘ logSoftmax, fused.
/// - Parameters:
///   - logProbabilities: [N, C].
///   - labels: N class indices in 0..<C.
///   - reduction: `.mean` (default), `.sum` or `.perExample` ([N]).
public func negativeLogLikelihood(logProbabilities: Tensor, labels: [Int], reduction: Reduction = .mean) -> Tensor {
    precondition(logProbabilities.rank == 2 && logProbabilities.shape[0] == labels.count,
                 "negativeLogLikelihood: \(logProbabilities.shape) for \(labels.count) labels")
    let (n, c) = (logProbabilities.shape[0], logProbabilities.shape[1])
    let picked = Tensor(uninitializedShape: [n])
    for row in 0..<n {
        precondition(labels[row] >= 0 && labels[row] < c, "negativeLogLikelihood: label \(labels[row]) outside 0..<\(c)")
        picked.data[row] = -logProbabilities.data[row * c + labels[row]]
    }
    // loss_n = −lp[n, y_n] ⇒ d lp[n, k] = −g_n·1[k = y_n].
    let losses = picked.recordingGradient(of: [logProbabilities]) { g in
        let dlp = Tensor(zeros: [n, c])
        for row in 0..<n { dlp.data[row * c + labels[row]] = -g.data[row] }
        return [dlp]
    }
    return reduce(losses, reduction)
}

/// Binary cross-entropy on logits, for targets t ∈ [0, 1]:
///   loss = −t log σ(x) − (1 − t) log(1 − σ(x)) = max(x, 0) − x·t + log(1 + e^(−|x|)),
/// the second form being exact and free of overflow for any finite x (no log of 0, no e^large).
/// - Parameters:
///   - logits: any shape.
///   - targets: the same shape, values in [0, 1].
///   - reduction: `.mean` (default) over all elements, `.sum`, or `.perExample` (element-wise).
public func binaryCrossEntropyWithLogits(logits: Tensor, targets: Tensor, reduction: Reduction = .mean) -> Tensor {
    precondition(logits.shape == targets.shape, "binaryCrossEntropyWithLogits: \(logits.shape) vs \(targets.shape)")
    let losses = Tensor(uninitializedShape: logits.shape)
    let (x, t, l) = (logits.data, targets.data, losses.data)
    for i in 0..<logits.count {
        l[i] = Swift.max(x[i], 0) - x[i] * t[i] + Foundation.log1p(Foundation.exp(-Swift.abs(x[i])))
    }
    let (xv, tv) = (logits.detached(), targets.detached())
    // d loss / dx = σ(x) − t  (the max and |x| branches recombine into the sigmoid);
    // d loss / dt = −x.
    let elementwise = losses.recordingGradient(of: [logits, targets]) { g in
        [logits.needsGradient ? zipMapLoss(g, xv, tv) { g, x, t in g * (sigmoid(x) - t) } : nil,
         targets.needsGradient ? -(g * xv) : nil]
    }
    return reduce(elementwise, reduction)
}

/// out[i] = f(a[i], b[i], c[i]) for three tensors of one shape.
private func zipMapLoss(_ a: Tensor, _ b: Tensor, _ c: Tensor, _ f: (Float, Float, Float) -> Float) -> Tensor {
    let out = Tensor(uninitializedShape: a.shape)
    let (pa, pb, pc, po) = (a.data, b.data, c.data, out.data)
    for i in 0..<a.count { po[i] = f(pa[i], pb[i], pc[i]) }
    return out
}

// MARK: - Regression

/// Mean squared error, mean((prediction − target)²) (or its sum / element-wise values).
public func mse(_ prediction: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    reduce(square(prediction - target), reduction)
}

/// ½·log(2π), the constant of the Gaussian negative log-likelihood.
public let halfLogTwoPi: Float = 0.5 * Foundation.log(2 * Float.pi)

/// Negative log-likelihood of `target` under N(mean, variance), element-wise:
///   NLL = ½ log(2π) + ½ log σ² + (y − μ)² / (2σ²).
/// The constant ½ log(2π) ≈ 0.9189 is included (unlike PyTorch's `GaussianNLLLoss` default,
/// `full=False`), so values are true log-likelihoods in nats. The variance is clamped below at
/// `epsilon` (default 1e-6, as in PyTorch) to keep log and division finite.
/// - Parameters:
///   - mean: μ, any shape.
///   - target: y, the same shape.
///   - variance: σ² > 0, the same shape (or broadcastable to it).
///   - reduction: `.mean` (default) over all elements, `.sum` or `.perExample` (element-wise).
public func gaussianNLL(mean μ: Tensor, target: Tensor, variance: Tensor, epsilon: Float = 1e-6,
                        reduction: Reduction = .mean) -> Tensor {
    let v = clamp(variance, min: epsilon, max: .greatestFiniteMagnitude)
    return reduce(0.5 * log(v) + square(target - μ) / (2 * v) + halfLogTwoPi, reduction)
}

/// The Gaussian negative log-likelihood parameterised by s = log σ², which needs no clamp:
///   NLL = ½ log(2π) + ½ s + ½ (y − μ)² e^(−s).
/// Parameters as in `gaussianNLL(mean:target:variance:)`, with `logVariance` for s.
public func gaussianNLL(mean μ: Tensor, target: Tensor, logVariance s: Tensor, reduction: Reduction = .mean) -> Tensor {
    reduce(0.5 * s + 0.5 * square(target - μ) * exp(-s) + halfLogTwoPi, reduction)
}

// MARK: - Metrics

/// The fraction of rows whose largest logit is at the label (ties go to the first maximum).
/// - Parameters:
///   - logits: [N, C] scores (or probabilities: only their order matters).
///   - labels: N class indices.
public func accuracy(logits: Tensor, labels: [Int]) -> Float {
    precondition(logits.rank == 2 && logits.shape[0] == labels.count,
                 "accuracy: logits \(logits.shape) for \(labels.count) labels")
    let predicted = argmax(logits)
    guard !labels.isEmpty else { return 0 }
    let correct = zip(predicted, labels).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
    return Float(correct) / Float(labels.count)
}

/// The index of the largest value of each row of a [N, C] tensor (the first, on ties).
public func argmax(_ scores: Tensor) -> [Int] {
    precondition(scores.rank == 2, "argmax needs [N, C], got \(scores.shape)")
    let (n, c) = (scores.shape[0], scores.shape[1])
    let p = scores.data
    return (0..<n).map { row in
        var best = 0
        for k in 1..<Swift.max(c, 1) where p[row * c + k] > p[row * c + best] { best = k }
        return best
    }
}
