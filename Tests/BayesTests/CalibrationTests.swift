import Testing
import Foundation
import Engine
import NN
import Bayes

/// Two-class predictions with confidence p in class 0, and labels 0 where `correct`.
func twoClassPredictions(confidence: [Float], correct: [Bool]) -> (Tensor, [Int]) {
    (Tensor(shape: [confidence.count, 2], values: confidence.flatMap { [$0, 1 - $0] }), correct.map { $0 ? 0 : 1 })
}

@Suite struct CalibrationTests {
    @Test func areaUnderROCOnHandCases() {
        #expect(areaUnderROC(positives: [2, 3, 4], negatives: [0, 1]) == 1)
        #expect(areaUnderROC(positives: [0, 1], negatives: [2, 3, 4]) == 0)
        #expect(areaUnderROC(positives: [5, 5, 5], negatives: [5, 5]) == 0.5)
        // Pairs (1,1) tie ½, (1,0) 1, (2,1) 1, (2,0) 1: 3.5 / 4.
        #expect(areaUnderROC(positives: [1, 2], negatives: [1, 0]) == 0.875)
    }

    @Test func areaUnderROCOfARandomScorerIsAHalf() {
        let generator = RandomGenerator(seed: 5)
        let positives = (0..<20_000).map { _ in generator.uniform() }
        let negatives = (0..<20_000).map { _ in generator.uniform() }
        #expect(Swift.abs(areaUnderROC(positives: positives, negatives: negatives) - 0.5) < 0.01)
        // Shifted positives: AUROC = P(U₁ + ½ > U₂) = 1 − ½·½² = 0.875.
        #expect(Swift.abs(areaUnderROC(positives: positives.map { $0 + 0.5 }, negatives: negatives) - 0.875) < 0.01)
    }

    @Test func averagePrecisionOnHandCases() {
        #expect(averagePrecision(positives: [2, 3], negatives: [0, 1]) == 1)
        // Ranked P(0.9) N(0.7) P(0.5): ½ · 1 + ½ · ⅔ = ⅚.
        #expect(Swift.abs(averagePrecision(positives: [0.9, 0.5], negatives: [0.7]) - 5.0 / 6) < 1e-6)
        // All tied: one threshold with precision n₊ / n.
        #expect(Swift.abs(averagePrecision(positives: [1, 1], negatives: [1, 1, 1, 1]) - 1.0 / 3) < 1e-6)
    }

    @Test func calibrationOfExactlyCalibratedAndOverconfidentPredictors() {
        // Ten predictions at confidence 0.8 of which 8 are right: calibrated, ECE 0.
        let calibrated = twoClassPredictions(confidence: Array(repeating: 0.8, count: 10),
                                             correct: Array(repeating: true, count: 8) + [false, false])
        #expect(Swift.abs(expectedCalibrationError(probabilities: calibrated.0, labels: calibrated.1)) < 1e-6)
        // Confidence 0.9 with accuracy 0.6: ECE is the gap 0.3.
        let overconfident = twoClassPredictions(confidence: Array(repeating: 0.9, count: 10),
                                                correct: Array(repeating: true, count: 6) + Array(repeating: false, count: 4))
        #expect(Swift.abs(expectedCalibrationError(probabilities: overconfident.0, labels: overconfident.1) - 0.3) < 1e-6)
        let diagram = reliabilityDiagram(probabilities: overconfident.0, labels: overconfident.1)
        #expect(diagram.count == 15)
        #expect(diagram.map(\.count).reduce(0, +) == 10)
        let full = diagram.first { $0.count > 0 }!
        #expect(full.lowerEdge < 0.9 && 0.9 <= full.upperEdge)
        #expect(Swift.abs(full.confidence - 0.9) < 1e-6 && Swift.abs(full.accuracy - 0.6) < 1e-6)
    }

    @Test func eceOfARandomCalibratedPredictorIsNearZero() {
        // Confidence p ~ U(½, 1), right with probability p.
        let generator = RandomGenerator(seed: 8)
        let confidence = (0..<50_000).map { _ in 0.5 + 0.5 * generator.uniform() }
        let correct = confidence.map { generator.uniform() < $0 }
        let (probabilities, labels) = twoClassPredictions(confidence: confidence, correct: correct)
        #expect(expectedCalibrationError(probabilities: probabilities, labels: labels) < 0.015)
        // Sharpened to p' = (p + 1)/2 at the same outcomes: over-confident by E[(1 − p)/2] = 1/8.
        let sharpened = twoClassPredictions(confidence: confidence.map { ($0 + 1) / 2 }, correct: correct)
        #expect(Swift.abs(expectedCalibrationError(probabilities: sharpened.0, labels: sharpened.1) - 0.125) < 0.015)
    }

    @Test func binEdges() {
        // Bin k holds (k/B, (k+1)/B]: confidence ½ with 2 bins falls in the first, 1 in the last.
        let (probabilities, labels) = twoClassPredictions(confidence: [0.5, 1.0, 1.0], correct: [true, true, true])
        #expect(reliabilityDiagram(probabilities: probabilities, labels: labels, bins: 2).map(\.count) == [1, 2])
    }

    @Test func brierScoreAndNLL() {
        let perfect = Tensor(shape: [3, 3], values: [1, 0, 0, 0, 1, 0, 0, 0, 1])
        #expect(brierScore(probabilities: perfect, labels: [0, 1, 2]) == 0)
        #expect(negativeLogLikelihood(probabilities: perfect, labels: [0, 1, 2]) == 0)
        for c in [2, 10] {
            let uniform = Tensor(shape: [4, c], repeating: 1 / Float(c))
            #expect(Swift.abs(brierScore(probabilities: uniform, labels: [0, 1, 1, 0]) - (1 - 1 / Float(c))) < 1e-6)
            #expect(Swift.abs(negativeLogLikelihood(probabilities: uniform, labels: [0, 1, 1, 0]) - Foundation.log(Float(c))) < 1e-5)
        }
        // A confident mistake: (0 − 1)² + (1 − 0)² = 2.
        #expect(brierScore(probabilities: Tensor(shape: [1, 2], values: [0, 1]), labels: [0]) == 2)
        #expect(negativeLogLikelihood(probabilities: Tensor(shape: [1, 2], values: [0, 1]), labels: [0]).isFinite)
    }

    @Test func rejectionCurveWithAnOracleScore() {
        // Uncertainty = error: rejecting removes mistakes first, so accuracy never falls.
        let generator = RandomGenerator(seed: 2)
        let correct = (0..<1000).map { _ in generator.uniform() < 0.7 }
        let curve = rejectionCurve(correct: correct, uncertainty: correct.map { $0 ? 0 : 1 })
        #expect(curve.count == 10)
        #expect(curve.map(\.rejectedFraction) == (0..<10).map { Double($0) / 10 })
        #expect(zip(curve, curve.dropFirst()).allSatisfy { $0.accuracy <= $1.accuracy })
        let errors = correct.filter { !$0 }.count
        #expect(curve[0].kept == 1000 && curve[0].accuracy == Float(1000 - errors) / 1000)
        #expect(curve.last!.accuracy == 1)
        // Hand case: scores 0.1 … 0.4, the two most uncertain wrong.
        let hand = rejectionCurve(correct: [true, false, true, false], uncertainty: [0.1, 0.4, 0.2, 0.3],
                                  fractions: [0, 0.25, 0.5, 1])
        #expect(hand.map(\.kept) == [4, 3, 2, 0])
        #expect(hand.map(\.accuracy) == [0.5, 2.0 / 3, 1, 1])
    }

    @Test func correctPredictionsFollowArgmax() {
        let probabilities = Tensor(shape: [2, 3], values: [0.1, 0.7, 0.2, 0.5, 0.3, 0.2])
        #expect(correctPredictions(probabilities: probabilities, labels: [1, 2]) == [true, false])
    }
}
