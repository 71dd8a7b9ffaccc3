// Pruning.swift — removing weights from a Bayesian net (Shridhar et al. 2019, section 7;
// Blundell et al. 2015, section 5.1).
//
// A removed weight is fixed at exactly 0: it leaves both the mean and the variance path.
// Each Bayesian layer may carry a mask m (1 kept, 0 removed) over its weights, and every
// estimator's forward pass uses μ ⊙ m and σ ⊙ m (`effectiveWeightMean`/`effectiveWeightSigma`
// in VariationalLayer.swift), so a removed weight contributes nothing to the output and its
// μ and ρ get zero gradient. Biases are never pruned (they are few). The mask is a buffer,
// saved in checkpoints; the stored μ and ρ of removed weights are left as they were, so a
// mask can be recomputed at another fraction from the same trained net.
//
// Which weights go first, lowest score first:
//   magnitude        |μ|        (the usual criterion of deterministic nets)
//   signal-to-noise  |μ| / σ    (Blundell et al. 2015: a weight whose posterior is wide
//                                compared with its mean can be set to 0 at little cost)
//
// The KL term of a pruned layer covers only the kept weights: the removed ones are no longer
// random variables of the model, so the ELBO of the smaller net is the one fine-tuning needs.

import Foundation
import Engine
import NN

/// Which weights a pruning step removes first.
public enum PruningCriterion: String, Sendable, CaseIterable, CustomStringConvertible {
    /// |μ|: the smallest posterior means go first.
    case magnitude
    /// |μ| / σ: the weights with the lowest signal-to-noise ratio go first.
    case signalToNoise = "snr"

    public var description: String { rawValue }
}

/// Whether the removed fraction applies to all weights of the model at once or to each layer.
public enum PruningScope: String, Sendable, CaseIterable, CustomStringConvertible {
    /// One threshold for the whole net: layers lose different fractions.
    case global
    /// Every layer loses the same fraction of its weights.
    case perLayer = "per-layer"

    public var description: String { rawValue }
}

/// Kept and total weights (biases excluded) of each Bayesian layer, after a pruning step.
public struct PruningSummary: Sendable {
    public struct Layer: Sendable {
        public let name: String
        public let kept: Int, total: Int
        /// The highest score among this layer's removed weights (nil when none was removed):
        /// the cut-off to mark on a histogram of the scores.
        public let threshold: Float?
    }
    public let layers: [Layer]
    public var kept: Int { layers.reduce(0) { $0 + $1.kept } }
    public var total: Int { layers.reduce(0) { $0 + $1.total } }
    /// Removed weights / all weights.
    public var removedFraction: Double { total == 0 ? 0 : Double(total - kept) / Double(total) }
}

extension VariationalLayer {
    /// The score of every weight under `criterion`, shaped like the weights (lower = removed
    /// first), from the stored μ and σ regardless of any mask.
    public func pruningScores(_ criterion: PruningCriterion) -> Tensor {
        withoutGradient {
            switch criterion {
            case .magnitude: abs(weight.mean)
            case .signalToNoise: abs(weight.mean) / weight.sigma
            }
        }
    }

    /// Weights not removed by the mask (all of them without one).
    public var keptWeightCount: Int {
        weightMask.map { mask in (0..<mask.count).reduce(0) { $0 + (mask.data[$1] != 0 ? 1 : 0) } } ?? weight.mean.count
    }

    /// Σ KL(q ‖ p) over the kept weights only, differentiable in μ and ρ (zero gradient for the
    /// removed ones). `sample` is the forward pass's weight sample (0 at removed weights).
    func prunedWeightKL(mask m: Tensor, sample w: Tensor?, generator: RandomGenerator) -> Tensor {
        let removed = 1 - m
        if case let .gaussian(priorMean, priorSigma) = prior {
            // Give each removed weight q_i = p_i: its KL term is then exactly 0 (closed form), or
            // log q_i(w_i) − log p_i(w_i) = 0 (Monte Carlo), and it depends on no parameter.
            let mean = weight.mean * m + removed * priorMean
            let sigma = weight.sigma * m + removed * priorSigma
            if klMethod == .closedForm {
                return gaussianKL(posteriorMean: mean, posteriorSigma: sigma, priorMean: priorMean, priorSigma: priorSigma)
            }
            let sample = w.map { $0 + removed * priorMean } ?? (mean + sigma * standardNormal(weight.shape, generator))
            return monteCarloKL(sample: sample, posteriorMean: mean, posteriorSigma: sigma, prior: prior)
        }
        // Other priors (Monte Carlo only): with w_i = 0 at removed weights,
        //   Σ_kept [log q_i(w_i) − log p(w_i)] = Σ_i m_i log q_i(w_i) − [log p(w) − R log p(0)],
        // R the number of removed weights. σ is set to 1 where removed to keep log σ finite.
        let sigma = weight.sigma * m + removed
        let sample = w ?? (effectiveWeightMean + effectiveWeightSigma * standardNormal(weight.shape, generator))
        let logPosterior = sum(gaussianLogDensity(sample, mean: weight.mean * m, sigma: sigma) * m)
        let removedCount = Float(weight.mean.count - keptWeightCount)
        let logPriorAtZero = prior.logDensity(Tensor(shape: [1], values: [0])).item
        return logPosterior - (prior.logDensity(sample) - removedCount * logPriorAtZero)
    }
}

extension Module {
    /// The Bayesian layers of this model with their path names ("conv1", "classifier.2"), in order.
    public var variationalLayers: [(name: String, layer: VariationalLayer)] {
        var found: [(String, VariationalLayer)] = []
        func visit(_ module: Module, _ path: String) {
            if let layer = module as? VariationalLayer { found.append((path, layer)) }
            for (name, child) in module.namedChildren { visit(child, path.isEmpty ? name : "\(path).\(name)") }
        }
        visit(self, "")
        return found
    }
}

/// Removes the lowest-scoring `fraction` of the weights of every Bayesian layer of `model` by
/// setting their masks (replacing any earlier masks). Exactly round(fraction · count) weights
/// go, ties broken by position; fraction 0 leaves every output as it was.
/// - Parameters:
///   - fraction: share of weights to remove, in [0, 1].
///   - criterion: |μ| or |μ|/σ.
///   - scope: one threshold for all layers (default) or the same fraction in each layer.
///   - keepingRemoved: when true, weights an existing mask removed stay removed (they go
///     first, and count towards the fraction); for iterative pruning with fine-tuning.
/// - Returns: kept counts and score cut-offs per layer.
@discardableResult
public func prune(_ model: Module, fraction: Double, criterion: PruningCriterion, scope: PruningScope = .global,
                  keepingRemoved: Bool = false) -> PruningSummary {
    precondition(fraction >= 0 && fraction <= 1, "pruning fraction \(fraction) outside [0, 1]")
    let layers = model.variationalLayers
    // Scores of all weights, −∞ for those that must stay removed.
    let scores: [[Float]] = layers.map { _, layer in
        var s = layer.pruningScores(criterion).array
        if keepingRemoved, let mask = layer.weightMask {
            for i in s.indices where mask.data[i] == 0 { s[i] = -.infinity }
        }
        return s
    }
    let removals: [[Int]]
    switch scope {
    case .perLayer:
        removals = scores.map { lowestScoring(fraction, of: $0) }
    case .global:
        let all = Array(scores.joined())
        let offsets = scores.reduce(into: [0]) { $0.append($0.last! + $1.count) }
        var perLayer = [[Int]](repeating: [], count: layers.count)
        var layerIndex = 0
        for i in lowestScoring(fraction, of: all).sorted() {
            while i >= offsets[layerIndex + 1] { layerIndex += 1 }
            perLayer[layerIndex].append(i - offsets[layerIndex])
        }
        removals = perLayer
    }
    var summary: [PruningSummary.Layer] = []
    for ((name, layer), (removed, layerScores)) in zip(layers, zip(removals, scores)) {
        let mask = Tensor(shape: layer.weight.shape, repeating: 1)
        for i in removed { mask.data[i] = 0 }
        layer.weightMask = mask
        let cutoff = removed.map { layerScores[$0] }.filter(\.isFinite).max()
        summary.append(.init(name: name, kept: layer.weight.mean.count - removed.count, total: layer.weight.mean.count,
                             threshold: cutoff))
    }
    return PruningSummary(layers: summary)
}

/// Indices of the round(fraction · n) lowest scores (ties by position).
func lowestScoring(_ fraction: Double, of scores: [Float]) -> [Int] {
    // With keepingRemoved, −∞ scores (sorted first) must go even when the fraction asks for fewer.
    let forced = scores.reduce(0) { $0 + ($1 == -.infinity ? 1 : 0) }
    let count = Swift.max(forced, Int((fraction * Double(scores.count)).rounded()))
    return Array(scores.indices.sorted { (scores[$0], $0) < (scores[$1], $1) }.prefix(count))
}

/// Kept and total weights of the model's Bayesian layers as their masks stand.
public func pruningSummary(_ model: Module) -> PruningSummary {
    PruningSummary(layers: model.variationalLayers.map { name, layer in
        .init(name: name, kept: layer.keptWeightCount, total: layer.weight.mean.count, threshold: nil)
    })
}

/// Gives every Bayesian layer an all-ones mask (nothing removed), so that the model has the
/// `weightMask` buffers of a pruned checkpoint and can load it strictly.
public func installPruningMasks(_ model: Module) {
    for (_, layer) in model.variationalLayers where layer.weightMask == nil {
        layer.weightMask = Tensor(shape: layer.weight.shape, repeating: 1)
    }
}

/// Removes every mask: all weights are back, at their stored μ and ρ.
public func removePruningMasks(_ model: Module) {
    for (_, layer) in model.variationalLayers { layer.weightMask = nil }
}

/// The L1 penalty Σ |μ| over the kept weights of all Bayesian layers (biases excluded), for the
/// paper's route to pruning: train with λ · penalty added to the loss, then cut small weights.
public func l1Penalty(_ model: Module) -> Tensor {
    let terms = model.variationalLayers.map { sum(abs($0.layer.effectiveWeightMean)) }
    return terms.dropFirst().reduce(terms.first ?? Tensor(scalar: 0)) { $0 + $1 }
}
