// Calibration.swift — how good predictive probabilities and uncertainty scores are, measured.
//
// Shapes: N examples, C classes. Probabilities are [N, C] predictive vectors (for a Bayesian
// net the Monte Carlo mean p̄ = `predictiveMean(predict(...))`), labels are N class indices.
//
//   calibration  ECE and the reliability diagram (Naeini et al. 2015; Guo et al. 2017)
//   proper scores NLL and the Brier score (Brier 1950)
//   separation   AUROC and average precision of a score telling two sets apart
//                (e.g. in- from out-of-distribution images; Hendrycks & Gimpel 2017)
//   selective    accuracy of the kept examples as the most uncertain ones are rejected
//
// Sums are accumulated in Double: these run over whole test sets.

import Foundation
import Engine
import NN

// MARK: Calibration

/// One bin of a reliability diagram: the examples whose confidence max_c p_c lies in
/// (lowerEdge, upperEdge] (the first bin also takes confidence 0).
public struct ReliabilityBin: Sendable, Equatable {
    public let lowerEdge: Float, upperEdge: Float
    /// Mean confidence of the bin's examples (0 for an empty bin).
    public let confidence: Float
    /// Fraction of the bin's examples whose predicted class is right (0 for an empty bin).
    public let accuracy: Float
    public let count: Int
}

/// Reliability diagram data: `bins` equal-width confidence bins over [0, 1] (Guo et al. 2017, §2).
/// The prediction is argmax_c p_c and its confidence max_c p_c.
public func reliabilityDiagram(probabilities: Tensor, labels: [Int], bins: Int = 15) -> [ReliabilityBin] {
    precondition(bins >= 1, "need at least one bin")
    let (confidence, correct) = confidenceAndCorrectness(probabilities, labels)
    var confidenceSum = [Double](repeating: 0, count: bins), correctCount = [Int](repeating: 0, count: bins)
    var count = [Int](repeating: 0, count: bins)
    for (p, right) in zip(confidence, correct) {
        // Bin k holds (k/B, (k+1)/B]: index ⌈p B⌉ − 1, clamped to [0, B − 1].
        let k = Swift.min(bins - 1, Swift.max(0, Int((Double(p) * Double(bins)).rounded(.up)) - 1))
        confidenceSum[k] += Double(p)
        correctCount[k] += right ? 1 : 0
        count[k] += 1
    }
    return (0..<bins).map { k in
        let m = Double(Swift.max(count[k], 1))
        return ReliabilityBin(lowerEdge: Float(k) / Float(bins), upperEdge: Float(k + 1) / Float(bins),
                              confidence: Float(confidenceSum[k] / m), accuracy: Float(Double(correctCount[k]) / m),
                              count: count[k])
    }
}

/// Expected calibration error (Naeini et al. 2015):
///     ECE = Σ_k (|B_k| / N) |acc(B_k) − conf(B_k)|
/// over `bins` equal-width confidence bins (default 15, as Guo et al. 2017).
public func expectedCalibrationError(probabilities: Tensor, labels: [Int], bins: Int = 15) -> Float {
    expectedCalibrationError(reliabilityDiagram(probabilities: probabilities, labels: labels, bins: bins))
}

/// ECE from reliability-diagram bins.
public func expectedCalibrationError(_ diagram: [ReliabilityBin]) -> Float {
    let n = diagram.reduce(0) { $0 + $1.count }
    guard n > 0 else { return 0 }
    let gap = diagram.reduce(0.0) { $0 + Double($1.count) * Double(Swift.abs($1.accuracy - $1.confidence)) }
    return Float(gap / Double(n))
}

// MARK: Proper scoring rules

/// Negative log-likelihood of the labels under predictive probabilities: −(1/N) Σ_n log p_n,y_n.
/// Probabilities are floored at `floor` (default 1e-12) so that a confident mistake costs a
/// large finite amount rather than infinity.
public func negativeLogLikelihood(probabilities: Tensor, labels: [Int], floor: Float = 1e-12) -> Float {
    let (n, c) = checkedShape(probabilities, labels)
    guard n > 0 else { return 0 }
    var total = 0.0
    for (i, y) in labels.enumerated() { total -= Foundation.log(Double(Swift.max(probabilities.data[i * c + y], floor))) }
    return Float(total / Double(n))
}

/// Brier score (Brier 1950), summed over classes and averaged over examples:
///     (1/N) Σ_n Σ_c (p_n,c − y_n,c)²,  y one-hot.
/// 0 for a perfect predictor, 1 − 1/C for the uniform one, at most 2.
public func brierScore(probabilities: Tensor, labels: [Int]) -> Float {
    let (n, c) = checkedShape(probabilities, labels)
    guard n > 0 else { return 0 }
    var total = 0.0
    for (i, y) in labels.enumerated() {
        for k in 0..<c {
            let gap = Double(probabilities.data[i * c + k]) - (k == y ? 1 : 0)
            total += gap * gap
        }
    }
    return Float(total / Double(n))
}

// MARK: Separating two sets by a score

/// Area under the ROC curve of a score meant to be higher on `positives` than on `negatives`:
/// the probability that a random positive scores above a random negative, ties counting ½
/// (the Mann–Whitney U statistic divided by n₊ n₋). 1 = perfect separation, 0.5 = chance.
/// Computed from mid-ranks in O(n log n).
public func areaUnderROC(positives: [Float], negatives: [Float]) -> Float {
    precondition(!positives.isEmpty && !negatives.isEmpty, "AUROC needs examples of both sets")
    // U = R₊ − n₊(n₊ + 1)/2, with R₊ the sum of the positives' ranks among all scores
    // (tied scores share the mean of their ranks).
    let scored = (positives.map { ($0, true) } + negatives.map { ($0, false) }).sorted { $0.0 < $1.0 }
    var positiveRankSum = 0.0
    var start = 0
    while start < scored.count {
        var end = start
        while end < scored.count && scored[end].0 == scored[start].0 { end += 1 }
        let midRank = Double(start + 1 + end) / 2                  // ranks start+1 … end
        positiveRankSum += midRank * Double(scored[start..<end].filter(\.1).count)
        start = end
    }
    let (np, nn) = (Double(positives.count), Double(negatives.count))
    return Float((positiveRankSum - np * (np + 1) / 2) / (np * nn))
}

/// Average precision, the step-wise area under the precision–recall curve, of a score meant
/// to be higher on `positives`:
///     AP = Σ_k (R_k − R_{k−1}) P_k
/// over thresholds at each distinct score from the highest down (tied scores enter together),
/// with P_k and R_k the precision and recall of "score ≥ threshold k". 1 = perfect; a
/// scorer without skill scores about n₊ / (n₊ + n₋).
public func averagePrecision(positives: [Float], negatives: [Float]) -> Float {
    precondition(!positives.isEmpty, "average precision needs positive examples")
    let scored = (positives.map { ($0, true) } + negatives.map { ($0, false) }).sorted { $0.0 > $1.0 }
    var truePositives = 0, retrieved = 0
    var ap = 0.0, previousRecall = 0.0
    var start = 0
    while start < scored.count {
        var end = start
        while end < scored.count && scored[end].0 == scored[start].0 { end += 1 }
        truePositives += scored[start..<end].filter(\.1).count
        retrieved = end
        let recall = Double(truePositives) / Double(positives.count)
        ap += (recall - previousRecall) * Double(truePositives) / Double(retrieved)
        previousRecall = recall
        start = end
    }
    return Float(ap)
}

// MARK: Rejecting uncertain predictions

/// One point of a rejection curve.
public struct RejectionPoint: Sendable, Equatable {
    /// The fraction of examples asked to be rejected.
    public let rejectedFraction: Double
    /// Examples kept: N − round(fraction · N).
    public let kept: Int
    /// Accuracy on the kept examples (1 when none are kept).
    public let accuracy: Float
}

/// Accuracy on the kept examples as the most uncertain are rejected: for each fraction f the
/// round(f N) examples of highest `uncertainty` are dropped (ties in stable index order).
/// A useful uncertainty gives a curve that rises with f.
/// - Parameters:
///   - correct: whether each prediction is right.
///   - uncertainty: one score per example, higher = less sure.
///   - fractions: rejected fractions in [0, 1); default 0, 0.1, …, 0.9.
public func rejectionCurve(correct: [Bool], uncertainty: [Float],
                           fractions: [Double] = (0..<10).map { Double($0) / 10 }) -> [RejectionPoint] {
    precondition(correct.count == uncertainty.count, "\(correct.count) outcomes for \(uncertainty.count) scores")
    let n = correct.count
    let mostCertainFirst = (0..<n).sorted { (uncertainty[$0], $0) < (uncertainty[$1], $1) }
    // rightSoFar[k] = number of correct predictions among the k most certain examples.
    var rightSoFar = [0]
    for i in mostCertainFirst { rightSoFar.append(rightSoFar.last! + (correct[i] ? 1 : 0)) }
    return fractions.map { f in
        precondition(f >= 0 && f <= 1, "rejected fraction \(f) outside [0, 1]")
        let kept = n - Int((f * Double(n)).rounded())
        return RejectionPoint(rejectedFraction: f, kept: kept,
                              accuracy: kept == 0 ? 1 : Float(rightSoFar[kept]) / Float(kept))
    }
}

/// Whether argmax_c p_c equals the label, per example, for [N, C] probabilities.
public func correctPredictions(probabilities: Tensor, labels: [Int]) -> [Bool] {
    _ = checkedShape(probabilities, labels)
    return zip(argmax(probabilities), labels).map { $0 == $1 }
}

// MARK: Helpers

/// Confidence max_c p_c and correctness of argmax_c p_c, per example.
func confidenceAndCorrectness(_ probabilities: Tensor, _ labels: [Int]) -> ([Float], [Bool]) {
    let (_, c) = checkedShape(probabilities, labels)
    let predicted = argmax(probabilities)
    let confidence = predicted.enumerated().map { i, k in probabilities.data[i * c + k] }
    return (confidence, zip(predicted, labels).map { $0 == $1 })
}

func checkedShape(_ probabilities: Tensor, _ labels: [Int]) -> (n: Int, c: Int) {
    precondition(probabilities.rank == 2 && probabilities.shape[0] == labels.count,
                 "probabilities [N, C] for \(labels.count) labels, got \(probabilities.shape)")
    return (probabilities.shape[0], probabilities.shape[1])
}
