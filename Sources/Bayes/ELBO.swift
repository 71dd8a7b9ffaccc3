// ELBO.swift — the training objective of variational inference, written once.
//
// Maximising the evidence lower bound
//     ELBO(θ) = E_q[log p(D | w)] − KL(q(w|θ) ‖ p(w))
// is minimising the loss  NLL + KL: fit the data, but pay for every bit by which the
// posterior departs from the prior (Blundell et al. 2015, eq. 1–2). With minibatches the
// KL is shared out over the batches, weighted by β (see BetaSchedule).
//
// Scaling. The loss can be written per example or per dataset; both have the same minimiser.
//   .perExample (default): loss = mean_n NLL_n + β · KL / N
//   .reference:            loss = N · mean_n NLL_n + β · KL    (PyTorch-BayesianCNN's `ELBO`)
// The default keeps the loss on the scale of the frequentist cross-entropy, so the same
// learning rate and the same gradient clipping behave alike for both nets; the reference form
// is N times larger, which Adam mostly (but not fully: its ε and weight decay) undoes.
//
// Monte Carlo. With S forward passes (weight or activation samples s = 1…S) the likelihood
// is averaged before the logarithm, as the reference does:
//     NLL_n = −log( (1/S) Σ_s p(y_n | x_n, w_s) ) = −(logsumexp_s log p_s − log S)

import Foundation
import Engine

public enum ELBOScaling: String, Sendable, CaseIterable {
    case perExample
    case reference
}

/// A loss and its two parts, for logging.
public struct ELBOLoss {
    /// The scalar to minimise.
    public let loss: Tensor
    /// Mean negative log-likelihood per example.
    public let nll: Float
    /// KL(q ‖ p) of the whole model (unweighted).
    public let kl: Float
    /// β used for this step.
    public let beta: Float
}

/// Combines a mean per-example NLL and the model's KL into the ELBO loss.
/// - Parameters:
///   - nll: mean negative log-likelihood over the minibatch, a scalar tensor.
///   - kl: KL(q ‖ p) of the model, a scalar tensor.
///   - beta: the KL weight for this minibatch (from a `BetaSchedule`).
///   - datasetSize: N, the number of training examples.
public func elbo(nll: Tensor, kl: Tensor, beta: Float, datasetSize: Int, scaling: ELBOScaling = .perExample) -> ELBOLoss {
    let loss: Tensor = switch scaling {
    case .perExample: nll + kl * (beta / Float(datasetSize))
    case .reference: nll * Float(datasetSize) + kl * beta
    }
    return ELBOLoss(loss: loss, nll: nll.item, kl: kl.item, beta: beta)
}

/// Classification NLL averaged over S Monte Carlo passes: logits [S, N, C], labels [N].
/// Returns −(1/N) Σ_n log((1/S) Σ_s softmax(logits_s,n)[y_n]).
public func monteCarloClassificationNLL(logits: Tensor, labels: [Int]) -> Tensor {
    precondition(logits.rank == 3 && logits.shape[1] == labels.count, "logits [S, N, C] for \(labels.count) labels, got \(logits.shape)")
    let (s, n, c) = (logits.shape[0], logits.shape[1], logits.shape[2])
    let logProbabilities = logSoftmax(logits, axis: 2)                       // [S, N, C]
    // Pick log p_s(y_n) with a one-hot mask (differentiable, no gather op needed).
    let oneHot = Tensor(zeros: [1, n, c])
    for (i, y) in labels.enumerated() { oneHot.data[i * c + y] = 1 }
    let logLikelihood = sum(logProbabilities * oneHot, axes: [2])           // [S, N]
    let averaged = logSumExp(logLikelihood, axis: 0) - Foundation.log(Float(s)) // [N]
    return -mean(averaged)
}

/// Gaussian NLL of regression targets under outputs [S, N] with fixed noise σ, averaged over
/// the S samples' likelihoods as above: −(1/N) Σ_n log((1/S) Σ_s N(y_n; f_s(x_n), σ²)).
public func monteCarloGaussianNLL(predictions: Tensor, targets: Tensor, noiseSigma: Float) -> Tensor {
    precondition(predictions.rank == 2 && targets.count == predictions.shape[1], "predictions [S, N] against \(targets.shape)")
    let s = predictions.shape[0]
    let logLikelihood = gaussianLogDensity(predictions, mean: targets.reshaped([1, -1]), sigma: Tensor(scalar: noiseSigma))
    let averaged = logSumExp(logLikelihood, axis: 0) - Foundation.log(Float(s))
    return -mean(averaged)
}
